// `leadloop report`: the funnel (src/reports/funnel.ts, the same code as GET /v1/reports/funnel) as a table.
import type { FunnelMetrics, FunnelReport, Ratio } from '../reports/funnel';

const pct = (r: Ratio): string => (r.rate === null ? '—' : `${(r.rate * 100).toFixed(1)}% (${r.count}/${r.of})`);
const hours = (seconds: number | null): string => (seconds === null ? '—' : `${(seconds / 3600).toFixed(1)} h`);

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

const COLUMNS = ['leads', 'MQLs', 'contacted', 'SQLs', 'recycled', 'disq.', 'MQL→SQL', 'SLA met', 'breaches'];
const cells = (m: FunnelMetrics): string[] => [m.leads, m.mqls, m.contacted, m.sqls, m.recycled, m.disqualified].map(String).concat([pct(m.mqlToSql), pct(m.sla), String(m.slaBreaches)]);

export function formatFunnel(report: FunnelReport): string {
  const t = report.totals;
  const benchmark = `${(report.benchmark.mqlToSql * 100).toFixed(0)}%`;
  const out = [
    `Funnel ${report.range.from} → ${report.range.to} (${report.range.tz})${report.filters.campaignId ? ` · campaign ${report.filters.campaignId}` : ''}${report.filters.source ? ` · source ${report.filters.source}` : ''}`,
    '',
    table(['', ...COLUMNS], [['total', ...cells(t)]]),
    '',
    `Lead→MQL ${pct(t.leadToMql)} · MQL→SQL ${pct(t.mqlToSql)} against the ${benchmark} benchmark${report.benchmark.met === null ? '' : report.benchmark.met ? ' (met)' : ' (not met)'}`,
    `Time to first contact: median ${hours(t.timeToFirstContact.medianSeconds)}, p90 ${hours(t.timeToFirstContact.p90Seconds)} over ${t.timeToFirstContact.count} contacted MQLs (${t.timeToFirstContact.businessTime} in business hours)`,
  ];
  if (t.rejectionReasons.length) out.push('', table(['rejection reason', 'count'], t.rejectionReasons.map((r) => [r.reason, String(r.count)])));
  if (report.byCampaign.length > 1) out.push('', table(['campaign', ...COLUMNS], report.byCampaign.map((c) => [c.campaignId, ...cells(c)])));
  if (report.weekly.length) out.push('', table(['week', ...COLUMNS], report.weekly.map((w) => [w.week, ...cells(w)])));
  return out.join('\n');
}
