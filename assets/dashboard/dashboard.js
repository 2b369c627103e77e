// Casegraph dashboard: one query to /graphql, charts drawn as SVG by hand. No build step,
// no dependencies, works offline. Every bar carries data-chart, data-key and data-count
// attributes so tests (and curious people) can read the numbers from the DOM.
'use strict';

(function () {
  const SVG = 'http://www.w3.org/2000/svg';
  const LANGUAGES = ['en', 'zh', 'ar'];

  const TEXTS = {
    en: {
      title: 'Cross-Border E-Commerce Practice Cases',
      subtitle: 'World Internet Conference case collections: live figures from the API',
      collection: 'Collection', category: 'Category', country: 'Country', all: 'All',
      reset: 'Clear filters', cases: 'cases', organisations: 'organisations',
      countries: 'countries', followUpActions: 'follow-up actions',
      byCategory: 'Cases by category', byOrganisationType: 'Cases by industry-chain link',
      byCountry: 'Cases by country (top 15)', byCollection: 'Cases by collection',
      byMonth: 'Cases published per month (UTC)', followUpActionsByKind: 'Follow-up actions by kind',
      followUpActionsByStatus: 'Follow-up actions by status', empty: 'No cases match these filters.',
      loading: 'Loading…', footer: 'Sample data is marked as such. Numbers come from',
      statuses: { PLANNED: 'Planned', IN_PROGRESS: 'In progress', DONE: 'Done', CANCELLED: 'Cancelled' },
    },
    zh: {
      title: '跨境电商实践案例',
      subtitle: '世界互联网大会案例集：来自 API 的实时数据',
      collection: '案例集', category: '类别', country: '国家/地区', all: '全部',
      reset: '清除筛选', cases: '个案例', organisations: '个机构',
      countries: '个国家/地区', followUpActions: '项后续行动',
      byCategory: '按类别统计案例', byOrganisationType: '按产业链环节统计案例',
      byCountry: '按国家/地区统计案例（前 15）', byCollection: '按案例集统计案例',
      byMonth: '每月发布的案例（UTC）', followUpActionsByKind: '按类型统计后续行动',
      followUpActionsByStatus: '按状态统计后续行动', empty: '没有符合筛选条件的案例。',
      loading: '加载中…', footer: '示例数据均有标注。数据来自',
      statuses: { PLANNED: '计划中', IN_PROGRESS: '进行中', DONE: '已完成', CANCELLED: '已取消' },
    },
    ar: {
      title: 'حالات ممارسة التجارة الإلكترونية العابرة للحدود',
      subtitle: 'مجموعات حالات المؤتمر العالمي للإنترنت: أرقام حية من واجهة البرمجة',
      collection: 'المجموعة', category: 'الفئة', country: 'البلد', all: 'الكل',
      reset: 'مسح عوامل التصفية', cases: 'حالة', organisations: 'منظمة',
      countries: 'بلدًا', followUpActions: 'إجراء متابعة',
      byCategory: 'الحالات حسب الفئة', byOrganisationType: 'الحالات حسب حلقة السلسلة الصناعية',
      byCountry: 'الحالات حسب البلد (أعلى 15)', byCollection: 'الحالات حسب المجموعة',
      byMonth: 'الحالات المنشورة شهريًا (التوقيت العالمي)', followUpActionsByKind: 'إجراءات المتابعة حسب النوع',
      followUpActionsByStatus: 'إجراءات المتابعة حسب الحالة', empty: 'لا توجد حالات تطابق عوامل التصفية.',
      loading: 'جارٍ التحميل…', footer: 'البيانات النموذجية موسومة بذلك. الأرقام مصدرها',
      statuses: { PLANNED: 'مخطط له', IN_PROGRESS: 'قيد التنفيذ', DONE: 'منجز', CANCELLED: 'ملغى' },
    },
  };

  const STATISTICS = `query Dashboard($filter: CaseFilter) {
  statistics(filter: $filter) {
    caseCount organisationCount countryCount
    byCategory { category { id slug name collection { slug year } } count share }
    byOrganisationType { type label count share }
    byCountry(first: 15) { country { code name } count share }
    byCollection { collection { slug year title } count share }
    byMonth(field: PUBLISHED_AT) { month count }
    followUpActions { total byKind { kind label count } byStatus { status count } }
  }
}`;

  const OPTIONS = `query DashboardOptions {
  collections { slug year title }
  categories { slug name }
  statistics { byCountry(first: 250) { country { code name } } }
}`;

  const params = new URLSearchParams(window.location.search);
  const browserLanguage = (navigator.language || 'en').slice(0, 2).toLowerCase();
  const state = {
    lang: LANGUAGES.includes(params.get('lang')) ? params.get('lang')
      : (LANGUAGES.includes(browserLanguage) ? browserLanguage : 'en'),
    collection: params.get('collection') || '',
    category: params.get('category') || '',
    country: (params.get('country') || '').toUpperCase(),
    sequence: 0,
  };

  const form = document.getElementById('filters');
  const errorBox = document.querySelector('.error');

  function texts() {
    return TEXTS[state.lang];
  }

  // A throttled request (HTTP 429) waits as long as Retry-After says and tries again, a few
  // times: a visitor reloading fast sees the charts a moment later, not an error.
  async function graphql(query, variables, attempt = 0) {
    const response = await fetch('/graphql', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'Accept-Language': state.lang },
      body: JSON.stringify({ query, variables }),
    });
    if (response.status === 429 && attempt < 3) {
      const seconds = Math.min(Number(response.headers.get('Retry-After')) || 1, 10);
      await new Promise((resolve) => window.setTimeout(resolve, seconds * 1000));
      return graphql(query, variables, attempt + 1);
    }
    const body = await response.json();
    if (body.errors && body.errors.length) {
      throw new Error(body.errors.map((error) => error.message).join('; '));
    }
    return body.data;
  }

  function filter() {
    const value = {};
    if (state.collection) value.collections = [state.collection];
    if (state.category) value.categories = [state.category];
    if (state.country) value.countries = [state.country];
    return Object.keys(value).length ? value : null;
  }

  function rememberInUrl() {
    const next = new URLSearchParams();
    next.set('lang', state.lang);
    for (const key of ['collection', 'category', 'country']) {
      if (state[key]) next.set(key, state[key]);
    }
    window.history.replaceState(null, '', `${window.location.pathname}?${next}`);
  }

  function applyLanguage() {
    const root = document.documentElement;
    root.lang = state.lang;
    root.dir = state.lang === 'ar' ? 'rtl' : 'ltr';
    for (const element of document.querySelectorAll('[data-text]')) {
      const text = texts()[element.dataset.text];
      if (typeof text === 'string') element.textContent = text;
    }
    for (const button of document.querySelectorAll('[data-lang]')) {
      button.setAttribute('aria-pressed', String(button.dataset.lang === state.lang));
    }
    document.title = `Casegraph · ${texts().title}`;
  }

  function fillSelect(name, options) {
    const select = form.elements[name];
    while (select.options.length > 1) select.remove(1);
    for (const option of options) {
      select.add(new Option(option.label, option.value));
    }
    select.value = state[name];
  }

  async function loadOptions() {
    const data = await graphql(OPTIONS, {});
    fillSelect('collection', data.collections.map((c) => ({ value: c.slug, label: `${c.year} · ${c.title}` })));
    const categories = new Map();
    for (const category of data.categories) {
      if (!categories.has(category.slug)) categories.set(category.slug, category.name);
    }
    fillSelect('category', [...categories].map(([value, label]) => ({ value, label })));
    const countries = data.statistics.byCountry.map((row) => ({ value: row.country.code, label: row.country.name }));
    countries.sort((a, b) => a.label.localeCompare(b.label, state.lang));
    fillSelect('country', countries);
  }

  function svg(name, attributes, parent) {
    const element = document.createElementNS(SVG, name);
    for (const [key, value] of Object.entries(attributes || {})) element.setAttribute(key, String(value));
    if (parent) parent.appendChild(element);
    return element;
  }

  function formatCount(count) {
    return new Intl.NumberFormat(state.lang).format(count);
  }

  function formatShare(share) {
    return new Intl.NumberFormat(state.lang, { style: 'percent', maximumFractionDigits: 1 }).format(share);
  }

  function bar(group, chart, row) {
    group.setAttribute('class', 'bar');
    group.setAttribute('data-chart', chart);
    group.setAttribute('data-key', row.key);
    group.setAttribute('data-count', String(row.count));
    group.setAttribute('data-label', row.label);
    const title = svg('title', {}, group);
    title.textContent = row.share === undefined ? `${row.label}: ${formatCount(row.count)}`
      : `${row.label}: ${formatCount(row.count)} (${formatShare(row.share)})`;
  }

  function empty(plot) {
    const note = document.createElement('p');
    note.className = 'empty';
    note.textContent = texts().empty;
    plot.appendChild(note);
  }

  // Horizontal bars: label, bar, count. Mirrored for right-to-left layouts.
  function horizontalBars(chart, rows) {
    const plot = document.querySelector(`[data-chart="${chart}"] .plot`);
    plot.replaceChildren();
    if (!rows.length) return empty(plot);
    const rtl = document.documentElement.dir === 'rtl';
    const width = 560; const rowHeight = 28; const labelWidth = 200; const countWidth = 92;
    const barSpace = width - labelWidth - countWidth;
    const max = Math.max(1, ...rows.map((row) => row.count));
    const root = svg('svg', { viewBox: `0 0 ${width} ${rows.length * rowHeight + 4}`, role: 'img', class: 'bars' });
    root.setAttribute('aria-label', document.querySelector(`[data-chart="${chart}"] h2`).textContent);
    rows.forEach((row, index) => {
      const y = index * rowHeight + 2;
      const length = Math.max(2, (barSpace * row.count) / max);
      const group = svg('g', {}, root);
      bar(group, chart, row);
      // Labels sit next to their bar: right-aligned on the left, or left-aligned on the right.
      const labelX = rtl ? width - labelWidth + 8 : labelWidth - 8;
      const label = svg('text', { x: labelX, y: y + rowHeight / 2 + 5, 'text-anchor': rtl ? 'start' : 'end', class: 'label' }, group);
      label.textContent = row.label.length > 26 ? `${row.label.slice(0, 25)}…` : row.label;
      const barX = rtl ? width - labelWidth - length : labelWidth;
      svg('rect', { x: barX, y: y + 4, width: length, height: rowHeight - 8, rx: 3, class: 'fill' }, group);
      const valueX = rtl ? barX - 6 : barX + length + 6;
      const value = svg('text', { x: valueX, y: y + rowHeight / 2 + 5, 'text-anchor': rtl ? 'end' : 'start', class: 'value' }, group);
      value.textContent = row.share === undefined ? formatCount(row.count)
        : `${formatCount(row.count)} · ${formatShare(row.share)}`;
    });
    plot.appendChild(root);
  }

  // Columns over time, oldest first (rightmost first when right to left).
  function columns(chart, rows) {
    const plot = document.querySelector(`[data-chart="${chart}"] .plot`);
    plot.replaceChildren();
    if (!rows.length) return empty(plot);
    const rtl = document.documentElement.dir === 'rtl';
    const width = 1160; const height = 240; const bottom = 28; const top = 18;
    const step = width / rows.length;
    const max = Math.max(1, ...rows.map((row) => row.count));
    const every = Math.max(1, Math.ceil(rows.length / 16));
    const root = svg('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', class: 'columns' });
    root.setAttribute('aria-label', document.querySelector(`[data-chart="${chart}"] h2`).textContent);
    svg('line', { x1: 0, x2: width, y1: height - bottom, y2: height - bottom, class: 'axis' }, root);
    rows.forEach((row, index) => {
      const slot = rtl ? rows.length - 1 - index : index;
      const columnHeight = Math.max(1, ((height - bottom - top) * row.count) / max);
      const x = slot * step + step * 0.15;
      const group = svg('g', {}, root);
      bar(group, chart, row);
      svg('rect', { x, y: height - bottom - columnHeight, width: step * 0.7, height: columnHeight, class: 'fill' }, group);
      if (rows.length <= 36) {
        const value = svg('text', { x: x + step * 0.35, y: height - bottom - columnHeight - 4, 'text-anchor': 'middle', class: 'value small' }, group);
        value.textContent = formatCount(row.count);
      }
      if (index % every === 0) {
        const label = svg('text', { x: x + step * 0.35, y: height - 8, 'text-anchor': 'middle', class: 'label small' }, group);
        label.textContent = row.key;
      }
    });
    plot.appendChild(root);
  }

  function draw(statistics) {
    const t = texts();
    const totals = {
      caseCount: statistics.caseCount,
      organisationCount: statistics.organisationCount,
      countryCount: statistics.countryCount,
      followUpActionCount: statistics.followUpActions.total,
    };
    for (const [name, value] of Object.entries(totals)) {
      const element = document.querySelector(`[data-stat="${name}"]`);
      element.textContent = formatCount(value);
      element.setAttribute('data-count', String(value));
    }
    horizontalBars('byCategory', statistics.byCategory.map((row) => ({
      key: row.category.id, label: `${row.category.name} (${row.category.collection.year})`, count: row.count, share: row.share,
    })));
    horizontalBars('byOrganisationType', statistics.byOrganisationType.map((row) => ({
      key: row.type, label: row.label, count: row.count, share: row.share,
    })));
    horizontalBars('byCountry', statistics.byCountry.map((row) => ({
      key: row.country.code, label: row.country.name, count: row.count, share: row.share,
    })));
    horizontalBars('byCollection', statistics.byCollection.map((row) => ({
      key: row.collection.slug, label: `${row.collection.year} · ${row.collection.title}`, count: row.count, share: row.share,
    })));
    columns('byMonth', statistics.byMonth.map((row) => ({ key: row.month, label: row.month, count: row.count })));
    horizontalBars('followUpActionsByKind', statistics.followUpActions.byKind.map((row) => ({
      key: row.kind, label: row.label, count: row.count,
    })));
    horizontalBars('followUpActionsByStatus', statistics.followUpActions.byStatus.map((row) => ({
      key: row.status, label: t.statuses[row.status] || row.status, count: row.count,
    })));
  }

  function showError(error) {
    errorBox.hidden = false;
    errorBox.textContent = String(error.message || error);
    document.body.dataset.state = 'error';
  }

  async function refresh() {
    const sequence = ++state.sequence;
    document.body.dataset.state = 'loading';
    errorBox.hidden = true;
    rememberInUrl();
    try {
      const data = await graphql(STATISTICS, { filter: filter() });
      if (sequence !== state.sequence) return; // a newer request is on its way
      draw(data.statistics);
      document.body.dataset.state = 'ready';
    } catch (error) {
      if (sequence === state.sequence) showError(error);
    }
  }

  async function start() {
    applyLanguage();
    try {
      await loadOptions();
    } catch (error) {
      showError(error);
      return;
    }
    await refresh();
  }

  form.addEventListener('change', (event) => {
    const { name, value } = event.target;
    if (name in state) {
      state[name] = value;
      refresh();
    }
  });
  form.addEventListener('reset', () => {
    state.collection = ''; state.category = ''; state.country = '';
    window.setTimeout(refresh, 0);
  });
  for (const button of document.querySelectorAll('[data-lang]')) {
    button.addEventListener('click', () => {
      if (button.dataset.lang === state.lang) return;
      state.lang = button.dataset.lang;
      start();
    });
  }

  start();
}());
