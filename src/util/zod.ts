// zod, as orbis's schemas use it. A run parses each schema once or a few times, and zod's JIT (a
// `new Function` fast path per object schema, that V8 then compiles) costs more than it saves at
// that scale: jitless took about 30 ms of CPU off a no-op provision. zod reads the setting when a
// schema is made, so schema modules import `z` from here, never from 'zod' itself.
import * as z from 'zod';

z.config({ jitless: true });

export { z };
