// Root hooks: every test runs on the backend that initBackend chooses (RDARTS_BACKEND forces one).
import { initBackend } from '../lib/backend';

export const mochaHooks = {
  async beforeAll(): Promise<void> {
    await initBackend();
  },
};
