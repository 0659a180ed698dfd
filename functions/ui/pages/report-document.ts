/**
 * The frame of the report pages (a campaign's report, the management summary): one self-contained
 * document with its inline style sheet, no script, no external asset.
 */
import { esc } from '../html';

export const REPORT_CSS = `
:root{--ink:#1d2630;--muted:#5d6b78;--line:#e3e7eb;--bg:#f5f5f2;--card:#fff;--accent:#24706c;--accent-soft:#d5e8e6;
--slate:#8aa0b4;--slate-dark:#52697f;--machine:#b9c2cb;--met:#226b45;--met-bg:#e7f3ec;--miss:#a2412c;--miss-bg:#fbece7;
--wait:#5d6b78;--wait-bg:#eef1f4;--coupon:#a97a2c;--coupon-dark:#7a5316;color-scheme:light}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--ink);font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;
font-variant-numeric:tabular-nums}
main{max-width:60rem;margin:0 auto;padding:2rem 1.25rem 3rem}
h1{font-size:1.7rem;line-height:1.25;margin:0;overflow-wrap:anywhere;font-weight:650}
h2{font-size:1.05rem;margin:0 0 1rem;font-weight:650}
h3{font-size:.95rem;margin:0 0 .5rem;font-weight:600}
.eyebrow{margin:0 0 .35rem;color:var(--muted);font-size:.8rem;letter-spacing:.08em;text-transform:uppercase;font-weight:600}
.title-row{display:flex;flex-wrap:wrap;align-items:center;gap:.5rem .9rem}
.status{display:inline-block;padding:.15rem .65rem;border-radius:999px;font-size:.8rem;font-weight:600;background:var(--wait-bg);color:var(--wait);white-space:nowrap}
.status-sending{background:#e2edf7;color:#245a8a}.status-paused{background:#fbf1dc;color:#86590f}
.status-sent{background:var(--met-bg);color:var(--met)}.status-cancelled{background:#eceae6;color:#6b655c}
.meta{display:flex;flex-wrap:wrap;gap:.5rem 2rem;margin:1rem 0 0}
.meta div{min-width:0}.meta dt{color:var(--muted);font-size:.78rem}.meta dd{margin:0;font-weight:500;overflow-wrap:anywhere}
.paused{margin:1rem 0 0;padding:.7rem .9rem;border-radius:8px;background:#fbf1dc;color:#6e4a0c;border-left:4px solid #d99a2b;overflow-wrap:anywhere}
.top{margin-bottom:1.5rem}
.card{background:var(--card);border:1px solid var(--line);border-radius:12px;padding:1.25rem 1.4rem;margin:0 0 1.25rem;
box-shadow:0 1px 2px rgba(20,30,40,.04)}
.muted{color:var(--muted)}.small{font-size:.85rem}
.note{margin:1rem 0 0}
.objective{border-left:6px solid var(--wait)}
.objective-met{border-left-color:var(--met);background:linear-gradient(90deg,var(--met-bg),#fff 70%)}
.objective-missed{border-left-color:var(--miss);background:linear-gradient(90deg,var(--miss-bg),#fff 70%)}
.objective-pending{background:linear-gradient(90deg,var(--wait-bg),#fff 70%)}
.objective-none{border-left-color:var(--line)}.objective-none p{margin:0;color:var(--muted)}
.objective-head{display:flex;flex-wrap:wrap;justify-content:space-between;align-items:center;gap:.5rem 1rem;margin-bottom:.6rem}
.objective-head h2{margin:0}
.verdict{font-weight:700;font-size:.85rem;padding:.2rem .75rem;border-radius:999px;background:var(--wait);color:#fff;white-space:nowrap}
.objective-met .verdict{background:var(--met)}.objective-missed .verdict{background:var(--miss)}
.objective-figures{display:flex;flex-wrap:wrap;gap:.5rem 2.5rem}
.objective-figures .label{display:block;color:var(--muted);font-size:.8rem}
.big{display:block;font-size:2rem;font-weight:700;line-height:1.15}.big.target{color:var(--muted);font-weight:600}
.objective-met .big:not(.target){color:var(--met)}.objective-missed .big:not(.target){color:var(--miss)}
.gauge{position:relative;height:10px;border-radius:5px;background:rgba(0,0,0,.07);margin:1rem 0 .25rem}
.gauge-fill{position:absolute;left:0;top:0;bottom:0;border-radius:5px;background:var(--wait)}
.objective-met .gauge-fill{background:var(--met)}.objective-missed .gauge-fill{background:var(--miss)}
.gauge-target{position:absolute;top:-4px;bottom:-4px;width:2px;margin-left:-1px;background:var(--ink)}
.funnel{display:block;overflow:visible;font-family:inherit}
.funnel text{font-family:inherit;fill:var(--ink)}
.step-name{font-size:14px;font-weight:600}
.step-count{font-size:14px;font-weight:700}
.step-count.is-unreported{font-weight:500;font-style:italic;fill:var(--muted)}
.funnel .step-share{font-size:12.5px;fill:var(--muted)}
.track{fill:#eef1f3}
.bar-targeted{fill:var(--slate)}.bar-sent{fill:var(--slate-dark)}.bar-delivered{fill:#3b536a}
.bar-opened{fill:var(--accent)}.bar-clicked{fill:#17504d}
.bar.unreported{fill:#fff;stroke:var(--slate-dark);stroke-width:1.5;stroke-dasharray:5 4}
.bar-issued{fill:#d8bf8e}.bar-viewed{fill:#c79b4f}.bar-printed{fill:var(--coupon)}.bar-redeemed{fill:var(--coupon-dark)}
.coupons .tiles-3{grid-template-columns:repeat(3,minmax(0,1fr));margin:1.25rem 0 1.5rem}
.coupons .tile-value{color:var(--coupon-dark)}
.coupon-grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(17rem,1fr));gap:1.5rem 2rem}
.sub{min-width:0}
.store-id{font-weight:500;overflow-wrap:anywhere}
.stores td.num{width:1%}
.meter{display:inline-block;width:3.5rem;height:6px;border-radius:3px;background:#eef1f3;margin-right:.5rem;vertical-align:middle;overflow:hidden}
.meter span{display:block;height:100%;background:var(--coupon)}
.matrix th,.matrix td{padding:.45rem .3rem}
.matrix th:first-child{padding-left:.5rem}.matrix th:last-child,.matrix td:last-child{padding-right:.5rem}
.matrix thead th.resp{text-align:right;font-size:.74rem;line-height:1.25;vertical-align:bottom}
.matrix tbody th{font-weight:600}
.matrix .pct{display:block;font-weight:600}
.matrix .count{display:block;color:var(--muted);font-size:.76rem;font-weight:400;white-space:nowrap}
.messages{margin:0 0 1rem;color:var(--muted)}
.cost .tiles-3{grid-template-columns:repeat(3,minmax(0,1fr));margin:0 0 1.5rem}
.cost [data-cost-figure="saving"] .tile-value{color:var(--met)}.cost .loss .tile-value{color:var(--miss)}
.costs tr.aside th,.costs tr.aside td{color:var(--muted);font-weight:400}
.costs tr.sum th,.costs tr.sum td{font-weight:700;border-top:2px solid var(--line)}
.costs tr.postal th,.costs tr.postal td.num{font-weight:600}
.costs td.muted{overflow-wrap:anywhere;font-weight:400}
.returns td.num{font-weight:700}.returns .count{display:block;color:var(--muted);font-size:.76rem;font-weight:400}
.sms .tiles{grid-template-columns:repeat(auto-fit,minmax(9rem,1fr));margin:1.25rem 0 1.5rem}
.sms h3#sms-links-h{margin-top:1.5rem}
.pm-grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(15rem,1fr));gap:1rem 2rem}
.pm{min-width:0}
table{width:100%;border-collapse:collapse}
th,td{text-align:left;padding:.45rem .5rem;border-bottom:1px solid var(--line);vertical-align:top}
thead th{font-size:.78rem;color:var(--muted);font-weight:600;border-bottom-width:2px}
tbody th{font-weight:500}
tbody tr:last-child th,tbody tr:last-child td{border-bottom:0}
.num{text-align:right;white-space:nowrap}
td.human{font-weight:700;color:var(--accent)}td.machine{color:var(--muted)}
.split-caption{margin:.9rem 0 .3rem}
.split{display:flex;height:8px;border-radius:4px;overflow:hidden;margin:0 0 .4rem;background:#eef1f3}
.split-human{background:var(--accent)}.split-machine{background:var(--machine)}
.split-legend{display:flex;flex-wrap:wrap;gap:.25rem 1rem;margin:0}
.dot{display:inline-block;width:.6rem;height:.6rem;border-radius:50%;margin-right:.35rem;vertical-align:baseline}
.dot-human{background:var(--accent)}.dot-machine{background:var(--machine)}
.rates td.num{font-weight:600}
.tiles{display:grid;grid-template-columns:repeat(4,minmax(0,1fr));gap:.75rem}
.tile{border:1px solid var(--line);border-radius:10px;padding:.7rem .85rem;display:flex;flex-direction:column;min-width:0}
.tile-value{font-size:1.4rem;font-weight:700;line-height:1.2}
.tile-label{font-weight:600;font-size:.88rem;overflow-wrap:anywhere}
.tile-hint{color:var(--muted);font-size:.78rem;line-height:1.35}
.tile.zero .tile-value{color:var(--muted);font-weight:500}
.links{table-layout:fixed}
.links .c-idx{width:2.5rem}.links .c-num{width:6.5rem}
.idx{color:var(--muted)}
.url-cell{min-width:0}
.url{display:block;overflow:hidden;text-overflow:ellipsis;white-space:nowrap;font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.82rem}
footer{color:var(--muted);font-size:.78rem;text-align:center;overflow-wrap:anywhere}
@media (max-width:40rem){
main{padding:1.25rem .75rem 2rem}
h1{font-size:1.4rem}
.card{padding:1rem;border-radius:10px}
.big{font-size:1.6rem}
.funnel .step-share{font-size:12px}
.tile{padding:.6rem .7rem}.tile-label{font-size:.82rem}
.links colgroup{display:none}
.links,.links tbody{display:block}
.links thead{display:none}
.tiles{grid-template-columns:repeat(2,minmax(0,1fr));gap:.5rem}
.coupons .tiles-3{grid-template-columns:minmax(0,1fr)}
.cost .tiles-3{grid-template-columns:minmax(0,1fr)}
.costs,.costs tbody{display:block}
.costs thead{display:none}
.costs tr{display:grid;grid-template-columns:minmax(0,1fr) auto;gap:.1rem .75rem;padding:.5rem 0;border-bottom:1px solid var(--line)}
.costs tr:last-child{border-bottom:0}
.costs th,.costs td,.costs tr.sum th,.costs tr.sum td{padding:0;border:0}
.costs tr.sum{border-top:2px solid var(--line)}
.costs td.muted{grid-column:1/-1;grid-row:2;font-size:.82rem}
.costs td.muted:empty{display:none}
.meter{display:none}
.matrix,.matrix tbody{display:block}
.matrix thead{display:none}
.matrix tr{display:grid;grid-template-columns:repeat(2,minmax(0,1fr));gap:.6rem 1rem;padding:.5rem 0}
.matrix tbody th:first-child,.matrix td,.matrix td:last-child{padding:0;border:0}
.matrix tbody th{grid-column:1/-1;display:flex;flex-wrap:wrap;align-items:baseline;gap:0 .6rem}
.matrix td.num{text-align:left;white-space:normal}
.matrix td::before{content:attr(data-label);display:block;color:var(--muted);font-size:.75rem;font-weight:500;line-height:1.3}
.meta{display:grid;grid-template-columns:repeat(2,minmax(0,1fr));gap:.5rem 1rem}.meta dd{font-size:.92rem}
.links tr{display:grid;grid-template-columns:1.75rem repeat(3,minmax(0,1fr));column-gap:.5rem;padding:.6rem 0;border-bottom:1px solid var(--line)}
.links tr:last-child{border-bottom:0}
.links td{border:0;padding:0}
.links .url-cell{grid-column:2/-1;margin-bottom:.35rem}
.links td.num{grid-row:2;text-align:left}
.links td.idx{grid-row:1/3}
.links td.num:nth-child(3){grid-column:2}.links td.num:nth-child(4){grid-column:3}.links td.num:nth-child(5){grid-column:4}
.links td.num::before{content:attr(data-label);display:block;color:var(--muted);font-size:.72rem;font-weight:500}
}
@media print{
@page{margin:1.5cm}
body{background:#fff;font-size:11pt}
main{max-width:none;padding:0}
.card{box-shadow:none;break-inside:avoid;page-break-inside:avoid;border-color:#ccd3d9}
.objective,.track,.bar,.split span,.dot,.gauge span,.meter,.meter span,.status,.verdict,.paused{-webkit-print-color-adjust:exact;print-color-adjust:exact}
.url{white-space:normal;overflow:visible;word-break:break-all}
}
.curves .curve{stroke-width:2.5;vector-effect:non-scaling-stroke}.curve-treated{stroke:var(--accent)}.curve-holdout{stroke:var(--slate-dark);stroke-dasharray:6 4}
.curves .axis{stroke:var(--line)}.key-treated{color:var(--accent);font-weight:600}.key-holdout{color:var(--slate-dark);font-weight:600}
.traffic-chart .bar-anonymous{fill:var(--accent-soft)}.traffic-chart .bar-known{fill:var(--accent)}
.traffic-chart .send-marker{stroke:var(--coupon-dark);stroke-width:2;vector-effect:non-scaling-stroke}
.verdict{font-weight:600}.verdict[data-verdict="significant"]{color:var(--met)}
table.lift-groups,table.lift,table.traffic-shops,table.summary{width:100%;border-collapse:collapse;margin:.5rem 0 1rem}
.lift-groups th,.lift-groups td,.lift th,.lift td,.traffic-shops th,.traffic-shops td,.summary th,.summary td{padding:.35rem .4rem;border-bottom:1px solid var(--line);text-align:left}
.lift-groups .num,.lift .num,.traffic-shops .num,.summary .num{text-align:right}
`;

/** A complete report page: `title` in the head, `body` inside `<main>`. */
export function reportDocument(locale: string, title: string, body: string): string {
  return `<!doctype html>
<html lang="${locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${esc(title)}</title>
<style>${REPORT_CSS}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}
