import { join } from 'node:path';

/** The real-world robustness corpus, copied into the project's fixtures (test/fixtures/README.md). */
export const CORPUS_DIR = join(import.meta.dirname, '../fixtures/real-world');
