// The workspace pages' one stylesheet, served as /app/assets/workspace.css (the CSP allows only 'self' styles).
export const WORKSPACE_CSS = `
:root { --fg: #1d2330; --muted: #5b6475; --line: #d7dbe3; --bad: #b3261e; --good: #1b7f3b; --accent: #3b6fd8; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.5 system-ui, -apple-system, "Hiragino Sans", "Noto Sans JP", "Noto Sans CJK JP", sans-serif; color: var(--fg); background: #f6f7fa; }
header { display: flex; justify-content: space-between; align-items: center; padding: 10px 20px; background: #fff; border-bottom: 1px solid var(--line); }
header h1 { font-size: 18px; margin: 0; }
header nav a { margin-left: 14px; color: var(--accent); }
main { padding: 12px 20px 40px; max-width: 1100px; display: grid; gap: 14px; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); }
main.single { grid-template-columns: minmax(0, 1fr); max-width: 900px; }
section { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 12px 14px; }
section.wide { grid-column: 1 / -1; }
h2 { font-size: 15px; margin: 0 0 8px; }
h3 { font-size: 14px; margin: 10px 0 6px; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 0; }
dt { color: var(--muted); }
dd { margin: 0; overflow-wrap: anywhere; }
ul { margin: 4px 0; padding-left: 20px; }
ol.timeline { list-style: none; padding: 0; margin: 0; max-height: 420px; overflow-y: auto; }
ol.timeline li { border-bottom: 1px solid var(--line); padding: 4px 0; overflow-wrap: anywhere; }
ol.timeline time, .muted { color: var(--muted); font-size: 12px; }
.kind { display: inline-block; min-width: 70px; font-size: 11px; color: var(--muted); text-transform: uppercase; }
.big { font-size: 22px; font-weight: 600; }
.overdue { color: var(--bad); font-weight: 600; }
.ok { color: var(--good); }
.notice { grid-column: 1 / -1; padding: 10px 14px; border-radius: 6px; border: 1px solid var(--line); background: #eef6ee; }
.notice.error { background: #fdecea; border-color: #f3b8b3; color: var(--bad); }
form { display: grid; gap: 8px; margin-bottom: 14px; padding-bottom: 10px; border-bottom: 1px dashed var(--line); }
form:last-child { border-bottom: 0; margin-bottom: 0; }
label { display: flex; flex-direction: column; font-size: 12px; color: var(--muted); }
label.check { flex-direction: row; gap: 6px; align-items: center; font-size: 14px; color: var(--fg); }
select, textarea, input[type=text] { font: inherit; padding: 4px 6px; border: 1px solid var(--line); border-radius: 4px; }
textarea { min-height: 48px; }
button { font: inherit; padding: 6px 14px; border: 1px solid var(--accent); border-radius: 4px; background: var(--accent); color: #fff; cursor: pointer; justify-self: start; }
button.danger { background: #fff; color: var(--bad); border-color: var(--bad); }
table { border-collapse: collapse; width: 100%; }
th, td { border-bottom: 1px solid var(--line); padding: 6px 8px; text-align: left; vertical-align: top; }
th { font-size: 12px; color: var(--muted); }
tr.late td { background: #fdecea; }
.badge { display: inline-block; padding: 0 6px; border-radius: 8px; font-size: 11px; background: var(--bad); color: #fff; }
@media (max-width: 760px) { main { grid-template-columns: minmax(0, 1fr); } }
`;
