/** The one client of the benchmark's reference server (bench/reference-server.ts). */
export const REFERENCE_CLIENT = { id: 'reference-bench', secret: 'reference-bench-secret-0123456789abcdefghijklmnopq' };
export const REFERENCE_SCOPE = 'system/*.rs';
