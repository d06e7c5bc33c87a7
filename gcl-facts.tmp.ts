import { nodeFactsArgv } from './core/drivers/ganeti/node-facts';
process.stdout.write(JSON.stringify(nodeFactsArgv({ resolve: ['node2.gnt.test', 'cluster.gnt.test', 'nope.gnt.test'], ssh: ['198.51.100.108', '198.51.100.120'], free: ['198.51.100.106', '198.51.100.108', '198.51.100.107'] })));
