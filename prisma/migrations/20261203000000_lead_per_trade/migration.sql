-- Issue 8 §1: a lead is a (property, trade) pair. The same house can be a roof lead sold to a roofer and a pool
-- lead sold to a pool builder, so the natural key of base_leads gains the trade. Every existing row was unique on
-- (address, city, state), so it is unique on (address, city, state, trade) too: no row is touched or lost.
DROP INDEX "base_leads_address_city_state_key";

-- CreateIndex
CREATE UNIQUE INDEX "base_leads_address_city_state_trade_key" ON "base_leads"("address", "city", "state", "trade");
