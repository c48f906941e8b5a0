// leadloop dashboard: plain JavaScript, no framework. Every piece of data goes into the page through
// textContent / setAttribute (never innerHTML), so names, reasons and campaign ids are always escaped.
// The API key is kept in sessionStorage (this tab only) and sent as an Authorization header; it never
// appears in a URL.
(function () {
  'use strict';
  var KEY_STORE = 'leadloop.apiKey';
  var LANG_STORE = 'leadloop.lang';
  var SVG = 'http://www.w3.org/2000/svg';

  var I18N = {
    en: {
      title: 'leadloop — funnel and SLA', switchLang: '日本語', signOut: 'Sign out', signIn: 'Sign in', apiKey: 'API key',
      signInButton: 'Sign in', keyHint: 'The key stays in this browser tab (sessionStorage) and is sent as an Authorization header.',
      from: 'From', to: 'To', campaign: 'Campaign', source: 'Source', timeZone: 'Time zone', apply: 'Apply',
      funnel: 'Funnel', benchmarkTitle: 'MQL → SQL against the benchmark', weekly: 'Weekly trend (by week of MQL)',
      reasons: 'Rejection reasons', byCampaign: 'By campaign', bySource: 'By source / UTM', slaBoard: 'SLA board — open handoffs',
      leads: 'Leads', mqls: 'MQLs', contacted: 'Contacted', sqls: 'SQLs', recycled: 'Recycled', disqualified: 'Disqualified',
      slaBreaches: 'SLA breaches', leadToMql: 'Lead → MQL', mqlToSql: 'MQL → SQL', medianContact: 'Median time to first contact',
      p90Contact: 'p90', clockBusiness: 'in business hours', clockWall: 'wall-clock time', clockMixed: 'business hours for {n} of {of}, wall-clock for the rest', slaCompliance: 'SLA compliance', benchmark: 'benchmark', met: 'meets the benchmark', notMet: 'below the benchmark',
      of: 'of', none: 'No data in this period.', noHandoffs: 'No open handoffs.', lead: 'Lead', owner: 'Owner', deadline: 'Deadline',
      timeLeft: 'Time left', breaches: 'Breaches', breached: 'breached', undelivered: 'email not delivered', overdue: 'overdue', history: 'history', week: 'Week',
      rate: 'Rate', reason: 'Reason', count: 'Count', utm: 'UTM source / medium / campaign', badKey: 'This API key was refused.',
      forbiddenFunnel: 'Your role may not read the funnel report; the SLA board is shown.', failed: 'The request failed',
      total: 'open', score: 'Score',
    },
    ja: {
      title: 'leadloop — ファネルと SLA', switchLang: 'English', signOut: 'サインアウト', signIn: 'サインイン', apiKey: 'API キー',
      signInButton: 'サインイン', keyHint: 'キーはこのタブ (sessionStorage) にのみ保存され、Authorization ヘッダーで送信されます。',
      from: '開始日', to: '終了日', campaign: 'キャンペーン', source: '流入元', timeZone: 'タイムゾーン', apply: '適用',
      funnel: 'ファネル', benchmarkTitle: 'MQL → SQL 転換率とベンチマーク', weekly: '週次推移 (MQL 週)',
      reasons: '却下理由', byCampaign: 'キャンペーン別', bySource: '流入元 / UTM 別', slaBoard: 'SLA ボード — 対応待ちの引き渡し',
      leads: 'リード', mqls: 'MQL', contacted: '初回接触', sqls: 'SQL', recycled: 'リサイクル', disqualified: '対象外',
      slaBreaches: 'SLA 違反', leadToMql: 'リード → MQL', mqlToSql: 'MQL → SQL', medianContact: '初回接触までの中央値',
      p90Contact: 'p90', clockBusiness: '営業時間ベース', clockWall: '実時間ベース', clockMixed: '{of} 件中 {n} 件は営業時間ベース、残りは実時間', slaCompliance: 'SLA 遵守率', benchmark: 'ベンチマーク', met: 'ベンチマーク達成', notMet: 'ベンチマーク未達',
      of: '/', none: 'この期間のデータはありません。', noHandoffs: '対応待ちの引き渡しはありません。', lead: 'リード', owner: '担当者',
      deadline: '期限', timeLeft: '残り時間', breaches: '違反回数', breached: '違反', undelivered: 'メール未達', overdue: '期限切れ', history: '履歴', week: '週',
      rate: '率', reason: '理由', count: '件数', utm: 'UTM ソース / メディア / キャンペーン', badKey: 'この API キーは拒否されました。',
      forbiddenFunnel: 'このロールはファネルを閲覧できません。SLA ボードのみ表示します。', failed: 'リクエストに失敗しました',
      total: '件', score: 'スコア',
    },
  };
  var REASONS = {
    en: { no_budget: 'No budget', no_authority: 'Not the decision maker', no_need: 'No need', bad_timing: 'Bad timing', not_reachable: 'Not reachable', bad_fit: 'Bad fit', competitor: 'Competitor', student: 'Student', spam: 'Spam', other: 'Other' },
    ja: { no_budget: '予算なし', no_authority: '決裁者ではない', no_need: 'ニーズなし', bad_timing: 'タイミングが悪い', not_reachable: '連絡がつかない', bad_fit: '適合しない', competitor: '競合', student: '学生', spam: 'スパム', other: 'その他' },
  };

  var lang = localStorage.getItem(LANG_STORE) || ((navigator.language || 'en').slice(0, 2) === 'ja' ? 'ja' : 'en');
  var last = { funnel: null, sla: null };

  function t(key) { return (I18N[lang] && I18N[lang][key]) || I18N.en[key] || key; }
  function reasonLabel(r) { return (REASONS[lang] && REASONS[lang][r]) || r; }
  function $(id) { return document.getElementById(id); }

  /** An HTML element; text children become text nodes (escaped by the DOM). */
  function h(tag, attrs, children) {
    var el = document.createElement(tag);
    setAttrs(el, attrs);
    append(el, children);
    return el;
  }
  function s(tag, attrs, children) {
    var el = document.createElementNS(SVG, tag);
    setAttrs(el, attrs);
    append(el, children);
    return el;
  }
  function setAttrs(el, attrs) {
    if (!attrs) return;
    Object.keys(attrs).forEach(function (k) { if (attrs[k] !== null && attrs[k] !== undefined) el.setAttribute(k, String(attrs[k])); });
  }
  function append(el, children) {
    if (children === null || children === undefined) return;
    (Array.isArray(children) ? children : [children]).forEach(function (c) {
      if (c === null || c === undefined || c === false) return;
      el.appendChild(typeof c === 'object' ? c : document.createTextNode(String(c)));
    });
  }
  function clear(el) { while (el.firstChild) el.removeChild(el.firstChild); return el; }
  function pct(rate) { return rate === null || rate === undefined ? '—' : (Math.round(rate * 1000) / 10) + '%'; }
  function duration(seconds) {
    if (seconds === null || seconds === undefined) return '—';
    var neg = seconds < 0, v = Math.abs(seconds), d = Math.floor(v / 86400), hh = Math.floor((v % 86400) / 3600), m = Math.floor((v % 3600) / 60);
    var out = d ? d + 'd ' + hh + 'h' : hh ? hh + 'h ' + m + 'm' : m ? m + 'm' : v + 's';
    return (neg ? '−' : '') + out;
  }
  function safeUrl(u) { return typeof u === 'string' && /^https?:\/\//i.test(u) ? u : null; }

  // --- API -----------------------------------------------------------------------------------------
  function api(path) {
    var key = sessionStorage.getItem(KEY_STORE);
    return fetch(path, { headers: { authorization: 'Bearer ' + key, accept: 'application/json' }, cache: 'no-store', referrerPolicy: 'no-referrer' })
      .then(function (res) {
        return res.text().then(function (text) {
          var body = null;
          try { body = JSON.parse(text); } catch (e) { body = null; }
          return { status: res.status, body: body };
        });
      });
  }

  function query() {
    var p = new URLSearchParams();
    var from = $('f-from').value, to = $('f-to').value, c = $('f-campaign').value.trim(), src = $('f-source').value.trim(), tz = $('f-tz').value.trim();
    if (from) p.set('from', from);
    if (to) { var end = new Date(to + 'T00:00:00Z'); end.setUTCDate(end.getUTCDate() + 1); p.set('to', end.toISOString().slice(0, 10)); }
    if (c) p.set('campaignId', c);
    if (src) p.set('source', src);
    if (tz) p.set('tz', tz);
    return p;
  }

  function load() {
    $('status').textContent = '';
    var p = query();
    var slaParams = new URLSearchParams();
    if (p.get('campaignId')) slaParams.set('campaignId', p.get('campaignId'));
    return Promise.all([api('/v1/reports/funnel?' + p.toString()), api('/v1/reports/sla?' + slaParams.toString())]).then(function (rs) {
      var funnel = rs[0], sla = rs[1];
      if (funnel.status === 401 || sla.status === 401) { signOut(t('badKey')); return; }
      showSignedIn();
      last.funnel = funnel.status === 200 ? funnel.body : null;
      last.sla = sla.status === 200 ? sla.body : null;
      if (funnel.status === 403) $('status').textContent = t('forbiddenFunnel');
      else if (funnel.status !== 200) $('status').textContent = t('failed') + ': ' + ((funnel.body && funnel.body.error && funnel.body.error.message) || funnel.status);
      render();
      document.body.setAttribute('data-loaded', 'true');
    }, function (err) { $('status').textContent = t('failed') + ': ' + err; });
  }

  // --- rendering -----------------------------------------------------------------------------------
  function render() {
    document.documentElement.setAttribute('lang', lang);
    document.querySelectorAll('[data-i18n]').forEach(function (el) { el.textContent = t(el.getAttribute('data-i18n')); });
    $('funnel-block').hidden = !last.funnel;
    if (last.funnel) renderFunnel(last.funnel);
    renderSla(last.sla);
  }

  function card(metric, label, value, sub) {
    return h('div', { class: 'card', 'data-metric': metric }, [h('div', { class: 'label' }, label), h('div', { class: 'value' }, value), sub ? h('div', { class: 'sub' }, sub) : null]);
  }

  // Which clock the speed-to-lead figures use: campaigns with business hours count open time only.
  function contactClock(c) {
    if (c.count > 0 && c.businessTime === c.count) return t('clockBusiness');
    if (c.businessTime === 0) return t('clockWall');
    return t('clockMixed').replace('{n}', String(c.businessTime)).replace('{of}', String(c.count));
  }

  function renderFunnel(f) {
    var m = f.totals;
    var bench = f.benchmark.mqlToSql;
    clear($('kpis'));
    append($('kpis'), [
      card('leadToMql', t('leadToMql'), pct(m.leadToMql.rate), m.leadToMql.count + ' ' + t('of') + ' ' + m.leadToMql.of),
      card('mqlToSql', t('mqlToSql'), pct(m.mqlToSql.rate), m.mqlToSql.count + ' ' + t('of') + ' ' + m.mqlToSql.of + ' · ' + t('benchmark') + ' ' + pct(bench)),
      card('medianContact', t('medianContact'), duration(m.timeToFirstContact.medianSeconds), t('p90Contact') + ' ' + duration(m.timeToFirstContact.p90Seconds) + ' · ' + contactClock(m.timeToFirstContact)),
      card('slaCompliance', t('slaCompliance'), pct(m.sla.rate), m.sla.count + ' ' + t('of') + ' ' + m.sla.of),
      card('slaBreaches', t('slaBreaches'), String(m.slaBreaches)),
    ]);

    var stages = ['leads', 'mqls', 'contacted', 'sqls', 'recycled', 'disqualified'];
    barChart($('funnel-chart'), stages.map(function (k) { return { key: k, label: t(k), value: m[k] }; }), 'funnel');
    benchmarkChart($('benchmark-chart'), m.mqlToSql, bench);
    weeklyChart($('weekly-chart'), f.weekly);
    var reasons = m.rejectionReasons.map(function (r) { return { key: r.reason, label: reasonLabel(r.reason), value: r.count }; });
    if (reasons.length) barChart($('reasons-chart'), reasons, 'reasons');
    else append(clear($('reasons-chart')), h('p', { class: 'empty' }, t('none')));

    var cols = function (row) {
      return [row.leads, row.mqls, row.sqls, row.recycled, row.disqualified, pct(row.mqlToSql.rate), pct(row.sla.rate)].map(function (v) { return h('td', { class: 'num' }, String(v)); });
    };
    var heads = [t('leads'), t('mqls'), t('sqls'), t('recycled'), t('disqualified'), t('mqlToSql'), t('slaCompliance')];
    table($('by-campaign'), [t('campaign')].concat(heads), f.byCampaign.map(function (r) {
      return h('tr', { 'data-campaign': r.campaignId }, [h('td', null, r.campaignId)].concat(cols(r)));
    }));
    table($('by-source'), [t('source'), t('utm')].concat(heads), f.bySource.map(function (r) {
      return h('tr', null, [h('td', null, r.source || '—'), h('td', null, [r.utmSource, r.utmMedium, r.utmCampaign].map(function (x) { return x || '—'; }).join(' / '))].concat(cols(r)));
    }));
  }

  function table(container, heads, rows) {
    clear(container);
    if (!rows.length) { append(container, h('p', { class: 'empty' }, t('none'))); return; }
    append(container, h('table', null, [h('thead', null, h('tr', null, heads.map(function (x) { return h('th', null, x); }))), h('tbody', null, rows)]));
  }

  /** Horizontal bars, one per item, with its value written at the end. */
  function barChart(container, items, name) {
    clear(container);
    var labelW = 190, barW = 460, rowH = 30, width = labelW + barW + 70, height = items.length * rowH + 10;
    var max = Math.max.apply(null, items.map(function (i) { return i.value; }).concat([1]));
    var svg = s('svg', { viewBox: '0 0 ' + width + ' ' + height, width: width, height: height, role: 'img', 'data-chart': name, 'aria-label': name });
    items.forEach(function (it, i) {
      var y = 5 + i * rowH, w = Math.round((it.value / max) * barW);
      var g = s('g', { 'data-key': it.key, 'data-value': it.value });
      append(g, [
        s('text', { x: labelW - 8, y: y + 19, 'text-anchor': 'end', 'font-size': 13, fill: '#1d2330' }, it.label),
        s('rect', { x: labelW, y: y + 4, width: Math.max(w, 1), height: rowH - 10, rx: 3, fill: name === 'reasons' ? '#8a5cf6' : '#3b6fd8' }, s('title', null, it.label + ': ' + it.value)),
        s('text', { x: labelW + w + 6, y: y + 19, 'font-size': 13, fill: '#1d2330', class: 'bar-value' }, String(it.value)),
      ]);
      svg.appendChild(g);
    });
    container.appendChild(svg);
  }

  function benchmarkChart(container, r, bench) {
    clear(container);
    var width = 720, height = 70, x0 = 10, w = 600;
    var rate = r.rate === null ? 0 : Math.min(r.rate, 1);
    var met = r.rate !== null && r.rate >= bench;
    var svg = s('svg', { viewBox: '0 0 ' + width + ' ' + height, width: width, height: height, role: 'img', 'data-chart': 'benchmark', 'aria-label': 'MQL to SQL' });
    append(svg, [
      s('rect', { x: x0, y: 14, width: w, height: 22, fill: '#e8ebf2', rx: 3 }),
      s('rect', { x: x0, y: 14, width: Math.round(rate * w), height: 22, fill: met ? '#1b7f3b' : '#b3261e', rx: 3 }),
      s('line', { x1: x0 + bench * w, x2: x0 + bench * w, y1: 6, y2: 44, stroke: '#1d2330', 'stroke-width': 2, 'stroke-dasharray': '4 3' }),
      s('text', { x: x0 + bench * w + 4, y: 58, 'font-size': 12, fill: '#1d2330' }, t('benchmark') + ' ' + pct(bench)),
      s('text', { x: x0 + w + 8, y: 30, 'font-size': 14, 'font-weight': 600, fill: met ? '#1b7f3b' : '#b3261e', 'data-value': pct(r.rate) }, pct(r.rate)),
      s('text', { x: x0, y: 58, 'font-size': 12, fill: '#5b6475' }, r.rate === null ? t('none') : met ? t('met') : t('notMet')),
    ]);
    container.appendChild(svg);
  }

  /** Per week: MQL and SQL bars side by side, and the MQL→SQL rate of the week's MQLs as a line. */
  function weeklyChart(container, weeks) {
    clear(container);
    if (!weeks.length) { append(container, h('p', { class: 'empty' }, t('none'))); return; }
    var colW = 70, top = 24, plotH = 160, left = 40, width = Math.max(left + weeks.length * colW + 20, 360), height = top + plotH + 50;
    var max = Math.max.apply(null, weeks.map(function (w) { return Math.max(w.mqls, w.sqls, w.leads); }).concat([1]));
    var svg = s('svg', { viewBox: '0 0 ' + width + ' ' + height, width: width, height: height, role: 'img', 'data-chart': 'weekly', 'aria-label': 'weekly' });
    append(svg, [
      s('rect', { x: left, y: 4, width: 10, height: 10, fill: '#3b6fd8' }), s('text', { x: left + 14, y: 13, 'font-size': 11 }, t('mqls')),
      s('rect', { x: left + 70, y: 4, width: 10, height: 10, fill: '#1b7f3b' }), s('text', { x: left + 84, y: 13, 'font-size': 11 }, t('sqls')),
      s('line', { x1: left + 140, x2: left + 156, y1: 9, y2: 9, stroke: '#b3261e', 'stroke-width': 2 }), s('text', { x: left + 160, y: 13, 'font-size': 11 }, t('mqlToSql') + ' %'),
      s('line', { x1: left, x2: width - 10, y1: top + plotH, y2: top + plotH, stroke: '#d7dbe3' }),
    ]);
    var points = [];
    weeks.forEach(function (w, i) {
      var x = left + i * colW + 10;
      var hm = Math.round((w.mqls / max) * plotH), hs = Math.round((w.sqls / max) * plotH);
      var g = s('g', { 'data-week': w.week, 'data-mqls': w.mqls, 'data-sqls': w.sqls });
      append(g, [
        s('rect', { x: x, y: top + plotH - hm, width: 22, height: Math.max(hm, 0), fill: '#3b6fd8' }, s('title', null, w.week + ' ' + t('mqls') + ': ' + w.mqls)),
        s('rect', { x: x + 24, y: top + plotH - hs, width: 22, height: Math.max(hs, 0), fill: '#1b7f3b' }, s('title', null, w.week + ' ' + t('sqls') + ': ' + w.sqls)),
        s('text', { x: x + 11, y: top + plotH - hm - 3, 'font-size': 11, 'text-anchor': 'middle' }, String(w.mqls)),
        s('text', { x: x + 35, y: top + plotH - hs - 3, 'font-size': 11, 'text-anchor': 'middle' }, String(w.sqls)),
        s('text', { x: x + 23, y: top + plotH + 16, 'font-size': 11, 'text-anchor': 'middle' }, w.week.slice(5)),
        s('text', { x: x + 23, y: top + plotH + 32, 'font-size': 11, 'text-anchor': 'middle', fill: '#b3261e' }, pct(w.mqlToSql.rate)),
      ]);
      svg.appendChild(g);
      if (w.mqlToSql.rate !== null) points.push((x + 23) + ',' + (top + plotH - Math.round(w.mqlToSql.rate * plotH)));
    });
    if (points.length > 1) svg.appendChild(s('polyline', { points: points.join(' '), fill: 'none', stroke: '#b3261e', 'stroke-width': 2 }));
    container.appendChild(svg);
  }

  function renderSla(board) {
    var c = clear($('sla-board'));
    if (!board) return;
    if (!board.entries.length) { append(c, h('p', { class: 'empty' }, t('noHandoffs'))); return; }
    var rows = board.entries.map(function (e) {
      var url = safeUrl(e.uiUrl);
      var who = [e.name || e.email, e.company].filter(Boolean).join(' · ');
      var undelivered = (e.undeliveredNotices || []).length;
      return h('tr', { class: e.breached ? 'breached' : null, 'data-lead': e.leadId }, [
        h('td', null, [url ? h('a', { href: url, target: '_blank', rel: 'noopener noreferrer', title: t('history') }, who) : who]),
        // An owner or escalation email that never arrived: the owner may not know about the lead.
        h('td', null, [e.owner || '—', undelivered ? ' ' : null, undelivered ? h('span', { class: 'badge', 'data-undelivered': String(undelivered) }, t('undelivered')) : null]),
        h('td', null, e.campaignId),
        h('td', { class: 'num' }, String(e.score)),
        h('td', null, new Date(e.deadline).toLocaleString(lang === 'ja' ? 'ja-JP' : 'en-GB')),
        h('td', { class: 'num' + (e.secondsLeft < 0 ? ' bad' : '') }, e.secondsLeft < 0 ? t('overdue') + ' ' + duration(-e.secondsLeft) : duration(e.secondsLeft)),
        h('td', { class: 'num' }, [String(e.breaches), e.breached ? ' ' : null, e.breached ? h('span', { class: 'badge' }, t('breached')) : null]),
      ]);
    });
    table(c, [t('lead'), t('owner'), t('campaign'), t('score'), t('deadline'), t('timeLeft'), t('breaches')], rows);
    c.insertBefore(h('p', { 'data-sla-summary': '' }, board.total + ' ' + t('total') + ' · ' + board.breached + ' ' + t('breached')), c.firstChild);
  }

  // --- session -------------------------------------------------------------------------------------
  function showSignedIn() { $('signin-section').hidden = true; $('app').hidden = false; $('signout').hidden = false; }
  function signOut(message) {
    sessionStorage.removeItem(KEY_STORE);
    last = { funnel: null, sla: null };
    $('signin-section').hidden = false; $('app').hidden = true; $('signout').hidden = true;
    $('signin-error').textContent = message || '';
    document.body.removeAttribute('data-loaded');
  }

  document.addEventListener('DOMContentLoaded', function () {
    render();
    $('f-tz').value = (Intl.DateTimeFormat().resolvedOptions().timeZone) || 'UTC';
    $('signin').addEventListener('submit', function (ev) {
      ev.preventDefault();
      var key = $('apikey').value.trim();
      $('apikey').value = '';
      if (!key) return;
      sessionStorage.setItem(KEY_STORE, key);
      $('signin-error').textContent = '';
      load();
    });
    $('filters').addEventListener('submit', function (ev) { ev.preventDefault(); load(); });
    $('signout').addEventListener('click', function () { signOut(''); });
    $('lang').addEventListener('click', function () { lang = lang === 'ja' ? 'en' : 'ja'; localStorage.setItem(LANG_STORE, lang); render(); });
    if (sessionStorage.getItem(KEY_STORE)) load();
  });
})();
