export { opsRoutes, type OpsDeps } from './routes.ts';
