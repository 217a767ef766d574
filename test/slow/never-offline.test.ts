// Slow tier (`npm run test:slow`, not CI): never offline (issue #22) at the issue's own scale. The
// same tests as test/e2e/resilience.test.ts, its fast sibling in CI, with the BTFS daemon stopped
// for 60 s instead of 20 (cache off: the slate for a minute; cache warm: nothing seen) and A/V
// sync measured after 20 loops of the flash-and-beep clip instead of 3; a platform down 60 s too.
// The settings are read by that file when it loads: they are set before it is imported.
process.env.ORBIS_E2E_BTFS_OUTAGE_SEC = '60';
process.env.ORBIS_E2E_AV_LOOPS = '20';
process.env.ORBIS_E2E_OUTAGE_SEC = '60';
await import('../e2e/resilience.test.js');
