// `npm run demo:reset`: deletes the demo database and sessions (DEMO_DATA_DIR, default examples/basic/data).
import { resetDemoData, settingsFromEnv } from './start.ts';

const { dataDir } = settingsFromEnv(process.env);
resetDemoData(dataDir);
console.log(`demo data reset: ${dataDir} removed; \`npm start\` creates and seeds it again`);
