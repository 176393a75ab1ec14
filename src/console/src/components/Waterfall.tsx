// The explanation of a match as a waterfall (as Splink draws it): the prior, then each
// field's match weight in bits added one after the other, ending at the total. Bars up are
// evidence for the match, bars down against it. Values are also listed in a table, so the
// chart is never the only way to read them.
import { Table, Text } from '@mantine/core';

export interface WaterfallBar {
  field: string;
  level: string;
  kind: string;
  weight: number;
}

const W = 640;
const H = 240;
const PAD = { top: 16, right: 12, bottom: 56, left: 44 };

/** The prior implied by the stored score and field weights: logit(score) minus their sum. */
export function priorWeight(score: number, bars: WaterfallBar[]): number {
  const p = Math.min(Math.max(score, 1e-9), 1 - 1e-9);
  const total = Math.log2(p / (1 - p));
  return total - bars.reduce((s, b) => s + b.weight, 0);
}

export function Waterfall({ bars, score, label }: { bars: WaterfallBar[]; score: number; label: string }) {
  const prior = priorWeight(score, bars);
  const steps: { name: string; from: number; to: number; kind: string; level: string }[] = [];
  let running = prior;
  steps.push({ name: 'prior', from: 0, to: prior, kind: 'prior', level: '' });
  for (const b of bars) {
    steps.push({ name: b.field, from: running, to: running + b.weight, kind: b.kind, level: b.level });
    running += b.weight;
  }
  steps.push({ name: 'total', from: 0, to: running, kind: 'total', level: '' });
  const values = steps.flatMap((s) => [s.from, s.to]);
  const lo = Math.min(0, ...values);
  const hi = Math.max(0, ...values);
  const span = hi - lo || 1;
  const plotH = H - PAD.top - PAD.bottom;
  const y = (v: number) => PAD.top + ((hi - v) / span) * plotH;
  const slot = (W - PAD.left - PAD.right) / steps.length;
  const colour = (s: (typeof steps)[number]) => (s.kind === 'prior' || s.kind === 'total' ? '#495057' : s.to >= s.from ? '#2f9e44' : '#c92a2a');

  return (
    <figure style={{ margin: 0 }}>
      <svg viewBox={`0 0 ${W} ${H}`} width="100%" role="img" aria-label={`Match weight waterfall for ${label}`} data-testid="waterfall">
        <title>{`Match weights for ${label}: prior ${prior.toFixed(2)} bits, total ${running.toFixed(2)} bits, probability ${(score * 100).toFixed(1)} %`}</title>
        <line x1={PAD.left} x2={W - PAD.right} y1={y(0)} y2={y(0)} stroke="#868e96" />
        <text x={4} y={y(0) + 4} fontSize={11} fill="#212529">
          0 bits
        </text>
        {steps.map((s, i) => {
          const top = y(Math.max(s.from, s.to));
          const height = Math.max(1, Math.abs(y(s.from) - y(s.to)));
          const x = PAD.left + i * slot + slot * 0.15;
          return (
            <g key={`${s.name}-${i}`}>
              <rect x={x} y={top} width={slot * 0.7} height={height} fill={colour(s)} />
              <text x={x + slot * 0.35} y={top - 3} fontSize={10} textAnchor="middle" fill="#212529">
                {(s.to - s.from).toFixed(1)}
              </text>
              <text
                x={x + slot * 0.35}
                y={H - PAD.bottom + 12}
                fontSize={10}
                textAnchor="end"
                fill="#212529"
                transform={`rotate(-35 ${x + slot * 0.35} ${H - PAD.bottom + 12})`}
              >
                {s.name}
              </text>
            </g>
          );
        })}
      </svg>
      <figcaption>
        <Text size="xs" c="dimmed">
          Green bars are evidence for the match, red against it (in bits). Probability {(score * 100).toFixed(1)} %.
        </Text>
      </figcaption>
      <Table fz="xs" withTableBorder mt="xs">
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">Field</Table.Th>
            <Table.Th scope="col">Comparison</Table.Th>
            <Table.Th scope="col">Weight (bits)</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          <Table.Tr>
            <Table.Td>prior</Table.Td>
            <Table.Td>—</Table.Td>
            <Table.Td>{prior.toFixed(2)}</Table.Td>
          </Table.Tr>
          {bars.map((b, i) => (
            <Table.Tr key={`${b.field}-${i}`}>
              <Table.Td>{b.field}</Table.Td>
              <Table.Td>
                {b.kind} ({b.level})
              </Table.Td>
              <Table.Td>
                {b.weight >= 0 ? '+' : ''}
                {b.weight.toFixed(2)}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </figure>
  );
}
