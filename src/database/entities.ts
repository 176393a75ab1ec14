// Every TypeORM entity of the gateway, listed explicitly so that the compiled
// output, the CLI and the tests load the same set without glob patterns.
export const entities: Function[] = [];
