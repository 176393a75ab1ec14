// Every migration, in order. `synchronize` is never used: the schema changes only here.
export const migrations: Function[] = [];
