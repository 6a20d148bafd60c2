import globalSetup from '../system/global-setup';
import { ensureChineseFont, ensureChromium } from './browser';

/** The system in a folder of its own (a browser run may sit beside `npm test`), and a browser to drive. */
export default async function e2eGlobalSetup(): Promise<void> {
  process.env.TEST_RUN_NAME = 'e2e-run';
  ensureChromium();
  ensureChineseFont();
  await globalSetup();
}
