// reconnect's drop script run by bash in a sandbox (../verify/sandbox.ts): the control socket a
// listening Unix socket in it (or none), and a fake curl that logs its arguments and answers as
// nginx's control module does (how many sessions it dropped).
import { NGINX_CONTROL_SOCKET } from '../../../src/status/reconnect.js';
import { ScriptSandbox } from '../verify/sandbox.js';

export interface DropPi {
  /** The control socket's path in the sandbox. */
  socket: string;
  /** Run a drop script: its output and curl's arguments, one call a line. */
  run(script: string): { stdout: string; curls: string[] };
  close(): void;
}

export async function dropSandbox(options: { socket?: boolean; answer?: string } = {}): Promise<DropPi> {
  const box = new ScriptSandbox();
  const socket = options.socket === false ? `${box.dir}/control.sock` : await box.socket('control.sock');
  box.fake('curl', `printf '%s' ${JSON.stringify(options.answer ?? '1')}`);
  return {
    socket,
    run(script) {
      const from = `\nCONTROL_SOCKET=${NGINX_CONTROL_SOCKET}\n`;
      if (!script.includes(from)) throw new Error('the drop script does not name the control socket');
      const r = box.run(script.split(from).join(`\nCONTROL_SOCKET=${socket}\n`));
      return { stdout: r.stdout, curls: r.calls.filter((c) => c.startsWith('curl ')).map((c) => c.slice('curl '.length)) };
    },
    close: () => box.close(),
  };
}
