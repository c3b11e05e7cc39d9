// `npm start`: the local cluster demo. The engine (queues, workers, HTTP API,
// simulated agent) comes in the engine issue; until then this says so.
console.log('everynode: the local cluster demo is coming in the engine issue (BullMQ queues, workers, simulated agent).');
console.log('Today: `npm test` runs the pure DaemonSet core and the API validation suites.');
