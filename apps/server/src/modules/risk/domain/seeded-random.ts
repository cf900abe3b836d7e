// The generator lives in the kernel: the anomaly detector's traffic simulator draws from it too.
export { SeededRandom } from '../../../kernel/seeded-random.ts';
