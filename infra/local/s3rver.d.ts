/** s3rver ships no types: what the local stack uses of it (typed where it is imported). */
declare module 's3rver';
