// This CPU's theoretical FP32 peak, from /proc/cpuinfo, to put an achieved GFLOP/s in proportion.
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';

export interface CpuPeak {
  readonly gflops: number;
  /** How the figure was derived, for the benchmark notes. */
  readonly assumption: string;
}

/** FP32 FLOPs per cycle per core: two FMA units, each lanes x 2 (multiply and add). */
function flopsPerCycle(flags: ReadonlySet<string>): { perCycle: number; isa: string } {
  if (flags.has('avx512f')) return { perCycle: 2 * 16 * 2, isa: 'AVX-512 (2 FMA units x 16 lanes x 2)' };
  if (flags.has('avx2') && flags.has('fma')) return { perCycle: 2 * 8 * 2, isa: 'AVX2+FMA (2 FMA units x 8 lanes x 2)' };
  if (flags.has('avx')) return { perCycle: 16, isa: 'AVX without FMA (8-lane add + 8-lane multiply)' };
  return { perCycle: 8, isa: 'SSE (4-lane add + 4-lane multiply)' };
}

function field(block: string, name: string): string | undefined {
  return new RegExp(`^${name}\\s*:\\s*(.*)$`, 'm').exec(block)?.[1]?.trim();
}

export function cpuPeak(cpuinfo = readFileSync('/proc/cpuinfo', 'utf8')): CpuPeak {
  const processors = cpuinfo.split(/\n\s*\n/).filter((b) => /^processor\s*:/m.test(b));
  const first = processors[0] ?? '';
  const cores = processors.length || cpus().length;
  // The nominal clock in the model name ("@ 2.10GHz") when there is one, else the largest current
  // clock listed: virtual machines often show only the nominal value there.
  const model = field(first, 'model name') ?? 'unknown CPU';
  const nominal = /@\s*([\d.]+)\s*GHz/i.exec(model);
  const listedMhz = Math.max(0, ...processors.map((b) => Number(field(b, 'cpu MHz') ?? 0)));
  const ghz = nominal ? Number(nominal[1]) : listedMhz / 1000;
  const clockSource = nominal ? 'the nominal clock in the model name' : 'the highest "cpu MHz" in /proc/cpuinfo';
  const { perCycle, isa } = flopsPerCycle(new Set((field(first, 'flags') ?? '').split(/\s+/)));
  const gflops = cores * ghz * perCycle;
  return {
    gflops,
    assumption:
      `peak FP32 = ${cores} cores x ${ghz.toFixed(2)} GHz (${clockSource}) x ${perCycle} FLOPs/cycle (${isa}) = ${gflops.toFixed(1)} GFLOP/s; ` +
      'turbo clocks, AMX/VNNI integer or bf16 units, and whether the virtual cores share a physical core are not known from inside the VM',
  };
}
