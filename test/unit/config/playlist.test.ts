import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSettings } from '../../../src/config/load.js';
import { parsePlaylist, readPlaylist } from '../../../src/config/playlist.js';
import { configErrorOf } from './helpers.js';

const GATEWAY = 'http://127.0.0.1:8080/btfs';
const CID = 'QmbQb1kfwEmf4sqCUcccDYHBiuvKAsE4h8LQsQJ13VvZR2';

describe('playlist (LISTE_LECTURE)', () => {
  it('reads CIDs and gateway URLs with their titles, skipping comments and blank lines', () => {
    const text = `# my channel\n${CID}  # intro\n\n  http://127.0.0.1:8080/btfs/QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG\r\n`;
    expect(parsePlaylist(text, 'liste.txt', GATEWAY)).toEqual([
      { url: `${GATEWAY}/${CID}`, title: 'intro' },
      { url: 'http://127.0.0.1:8080/btfs/QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG', title: '' },
    ]);
  });

  it('refuses what would break the ffconcat list, with file:line:col', () => {
    const error = configErrorOf(() => parsePlaylist(`${CID}\n  http://x/it's.mp4\n${CID} extra words\n`, 'liste.txt', GATEWAY));
    expect(error.issues.map((i) => [i.line, i.col])).toEqual([
      [2, 3],
      [3, 48],
    ]);
    expect(error.message).toMatch(/liste\.txt:2:3: must be a BTFS content id/);
  });

  it('refuses a control character in a line (a CR inside a title), with file:line:col; a tab is a blank', () => {
    const error = configErrorOf(() => parsePlaylist(`${CID} # one\rtwo\n${CID}\t# tabbed\n${CID} # bell\u0007\n`, 'liste.txt', GATEWAY));
    expect(error.issues.map((i) => `${i.file}:${i.line}:${i.col}: ${i.message}`)).toEqual([
      'liste.txt:1:53: holds a control character (code 13)',
      'liste.txt:3:54: holds a control character (code 7)',
    ]);
    expect(parsePlaylist(`${CID}\t# tabbed\n`, 'liste.txt', GATEWAY)).toEqual([{ url: `${GATEWAY}/${CID}`, title: 'tabbed' }]);
  });

  it('refuses an empty playlist', () => {
    expect(configErrorOf(() => parsePlaylist('# nothing\n', 'liste.txt', GATEWAY)).message).toMatch(/no video/);
  });

  it('defaults to the test CID through the gateway, and reads a file relative to the conf file', () => {
    expect(readPlaylist(loadSettings({ env: {} }))).toEqual([{ url: `${GATEWAY}/${CID}`, title: 'BTFS_HASH_TEST' }]);
    const dir = mkdtempSync(join(tmpdir(), 'orbis-playlist-'));
    writeFileSync(join(dir, 'liste.txt'), `${CID} # one\n`);
    writeFileSync(join(dir, 'orbis.conf'), 'LISTE_LECTURE="liste.txt"\nBTFS_PASSERELLE=http://127.0.0.1:9090/btfs\nBTFS_PORT_PASSERELLE=9090\n');
    const loaded = loadSettings({ confPath: join(dir, 'orbis.conf'), env: {} });
    expect(readPlaylist(loaded)).toEqual([{ url: `http://127.0.0.1:9090/btfs/${CID}`, title: 'one' }]);
  });

  it('names the setting when the file is missing', () => {
    const error = configErrorOf(() => readPlaylist(loadSettings({ env: {}, vars: ['LISTE_LECTURE=/nonexistent/liste.txt'] })));
    expect(error.message).toMatch(/--var LISTE_LECTURE: cannot read the playlist \/nonexistent\/liste\.txt: ENOENT/);
  });
});
