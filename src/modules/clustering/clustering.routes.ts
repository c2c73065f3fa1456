import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppContext } from '../../platform/context.ts';
import { ZPage } from '../../platform/pagination.ts';
import * as svc from './clustering.service.ts';
import {
  ZAssignClusterBody,
  ZCluster,
  ZClusterDetail,
  ZClusterParams,
  ZJobAccepted,
  ZListClustersQuery,
  ZOptimizeClustersBody,
} from './clustering.schemas.ts';

/** Geographic lead clusters under /api/v1/clusters (seed 002 §3.5.4). */
export const clusteringRoutes = (ctx: AppContext): FastifyPluginAsyncZod => async (app) => {
  const tags = ['clusters'];

  app.get('/', {
    schema: {
      tags,
      summary: 'List clusters: staff see all; a contractor sees the active clusters of its market, newest first',
      querystring: ZListClustersQuery,
      response: { 200: ZPage(ZCluster) },
    },
  }, async (req) => svc.listClusters(ctx, req.principal, req.query));

  app.post('/assign', {
    schema: {
      tags,
      summary: 'Give a cluster exclusively to one contractor until expiresAt; 409 CLUSTER_TAKEN while another holds it (admin/ops)',
      body: ZAssignClusterBody,
      response: { 200: ZCluster },
    },
  }, async (req) => svc.assignCluster(ctx, req.principal, req.body));

  app.post('/optimize', {
    schema: {
      tags,
      summary: 'Queue the cluster optimization (merge small, split large, rebalance) for one market or all (admin/ops)',
      body: ZOptimizeClustersBody,
      response: { 202: ZJobAccepted },
    },
  }, async (req, reply) => reply.code(202).send(await svc.requestClusterOptimization(ctx, req.principal, req.body)));

  app.get('/:id', {
    schema: { tags, summary: 'One cluster with its statistics; staff also get its lead ids', params: ZClusterParams, response: { 200: ZClusterDetail } },
  }, async (req) => svc.getCluster(ctx, req.principal, req.params.id));
};
