import v8 from 'node:v8';
for (const t of [5000, 15000, 30000]) setTimeout(() => { const m = process.memoryUsage(); console.error('MEM', t, Math.round(m.rss/1048576), v8.getHeapSpaceStatistics().filter(s=>s.physical_space_size>1048576).map((s) => `${s.space_name}:${Math.round(s.space_used_size / 1048576)}/${Math.round(s.physical_space_size/1048576)}`).join(' ')); }, t).unref();
