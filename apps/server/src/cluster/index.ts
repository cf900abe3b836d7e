export { runSupervisor } from './supervisor.ts';
export {
  alive,
  clusterPorts,
  everyPort,
  readTopology,
  topologyFile,
  type ClusterProcess,
  type Topology,
} from './topology.ts';
export { hasSynchronousStandby, membersAt } from './database-nodes.ts';
export { httpStatus } from './managed-process.ts';
export { haproxyConfig } from './domain/haproxy-config.ts';
export { patroniConfig } from './domain/patroni-config.ts';
export { decideScaling, p99FromBuckets } from './domain/scaling-decision.ts';
