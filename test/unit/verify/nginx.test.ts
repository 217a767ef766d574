import { describe, expect, it } from 'vitest';
import { nginxConfigCheck, rtmpModuleCheck } from '../../../src/verify/checks/nginx.js';
import { nginxTestProblem, rtmpModuleLoads } from '../../../src/verify/parse/nginx.js';
import { fixture } from './helpers.js';

describe('rtmp module loads in nginx -T', () => {
  it('counts effective load_module lines per file', () => {
    expect(rtmpModuleLoads(fixture('nginx-T-filtered.txt'))).toEqual([{ file: '/etc/nginx/modules-enabled/50-mod-rtmp.conf', line: 'load_module modules/ngx_rtmp_module.so;' }]);
    const twice = [
      '# configuration file /etc/nginx/nginx.conf:',
      'load_module /usr/lib/nginx/modules/ngx_rtmp_module.so;',
      '# configuration file /etc/nginx/modules-enabled/50-mod-rtmp.conf:',
      'load_module modules/ngx_rtmp_module.so;',
      '# configuration file /etc/nginx/modules-enabled/50-mod-http-geoip.conf:',
      'load_module modules/ngx_http_geoip_module.so;',
      '#load_module modules/ngx_rtmp_module.so;',
      '    # load_module modules/ngx_rtmp_module.so;',
    ].join('\n');
    expect(rtmpModuleLoads(twice).map((l) => l.file)).toEqual(['/etc/nginx/nginx.conf', '/etc/nginx/modules-enabled/50-mod-rtmp.conf']);
  });

  it('passes once, fails twice (naming the files) or never', () => {
    expect(rtmpModuleCheck({ nginxModules: { rc: 0, output: fixture('nginx-T-filtered.txt') } })).toMatchObject({ status: 'pass', value: 'loaded once (/etc/nginx/modules-enabled/50-mod-rtmp.conf)' });
    const twice = `# configuration file /etc/nginx/nginx.conf:\nload_module modules/ngx_rtmp_module.so;\n${fixture('nginx-T-filtered.txt')}`;
    expect(rtmpModuleCheck({ nginxModules: { rc: 0, output: twice } }).value).toBe('loaded 2 times (/etc/nginx/nginx.conf, /etc/nginx/modules-enabled/50-mod-rtmp.conf)');
    expect(rtmpModuleCheck({ nginxModules: { rc: 0, output: '# configuration file /etc/nginx/nginx.conf:\n' } }).value).toBe('the rtmp module is not loaded');
    expect(rtmpModuleCheck({ nginxModules: { rc: 1, output: '' } })).toMatchObject({ status: 'fail', needs: ['nginx.config'] });
  });
});

describe('nginx -t', () => {
  it('passes, or shows the emerg line', () => {
    expect(nginxConfigCheck({ nginxTest: { rc: 0, output: 'nginx: the configuration file /etc/nginx/nginx.conf syntax is ok\n' } }).status).toBe('pass');
    const out = 'nginx: [emerg] module "/usr/lib/nginx/modules/ngx_rtmp_module.so" is already loaded in /etc/nginx/modules-enabled/50-mod-rtmp.conf:1\nnginx: configuration file /etc/nginx/nginx.conf test failed\n';
    expect(nginxTestProblem(out)).toBe('nginx: [emerg] module "/usr/lib/nginx/modules/ngx_rtmp_module.so" is already loaded in /etc/nginx/modules-enabled/50-mod-rtmp.conf:1 / nginx: configuration file /etc/nginx/nginx.conf test failed');
    expect(nginxConfigCheck({ nginxTest: { rc: 1, output: out } }).status).toBe('fail');
    expect(nginxConfigCheck({ nginxTest: { rc: 127, output: '' } }).value).toBe('nginx is not installed');
  });
});
