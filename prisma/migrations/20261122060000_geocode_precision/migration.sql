-- Geocoding (issue 4 §4, seed 002 §3.2.3): precision also records Mapbox's street-level matches and coordinates
-- taken from the permit record itself ('source'), not only rooftop / interpolated / zip_centroid.
ALTER TABLE "properties" DROP CONSTRAINT "properties_geocode_precision_check";
ALTER TABLE "properties" ADD CONSTRAINT "properties_geocode_precision_check"
  CHECK ("geocode_precision" IN ('rooftop', 'interpolated', 'street', 'zip_centroid', 'source'));
