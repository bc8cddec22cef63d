// efsd's web console: the file systems, their mount targets and settings, and charts of their
// live metrics, through the same HTTP API the aws cli uses. Every API call is signed here, in
// the browser, with SigV4 (WebCrypto) under the access key the user signs in with; the key
// stays in this tab's sessionStorage. /metrics is read unsigned, as Prometheus reads it.
'use strict';
(() => {
  const API = '/2015-02-01';
  const EC2_VERSION = '2016-11-15';
  const KEY = 'efsd.accessKey';  // sessionStorage: {id, secret, region}
  const SCRAPE_MS = 1000;
  const WINDOW_S = 300;  // charts keep the last 5 minutes
  const LIST_BUSY_MS = 5000;  // while something is creating or deleting
  const LIST_IDLE_MS = 15000;
  const MiB = 1024 * 1024;
  const GiB = 1024 * MiB;

  const $ = (selector) => document.querySelector(selector);

  // el('td', {className: 'x'}, 'text', child): a new element; strings become text, never HTML.
  function el(tag, props, ...children) {
    const e = Object.assign(document.createElement(tag), props);
    e.append(...children.filter((c) => c !== null && c !== undefined));
    return e;
  }

  // ---- Signature Version 4 (as lib/http/sigv4.cc checks it) ----

  const utf8 = new TextEncoder();
  const hex = (buffer) =>
    Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, '0')).join('');
  const sha256 = async (text) => hex(await crypto.subtle.digest('SHA-256', utf8.encode(text)));
  async function hmac(key, text) {
    const raw = typeof key === 'string' ? utf8.encode(key) : key;
    const k = await crypto.subtle.importKey('raw', raw, {name: 'HMAC', hash: 'SHA-256'}, false,
                                            ['sign']);
    return crypto.subtle.sign('HMAC', k, utf8.encode(text));
  }

  // RFC 3986: every byte but A-Z a-z 0-9 - . _ ~ as %XX (UTF-8).
  const uriEncode = (s) => encodeURIComponent(s).replace(
      /[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());

  // The query as sent and as signed: encoded, sorted by name, then value.
  function canonicalQuery(params) {
    return Object.entries(params)
        .map(([k, v]) => [uriEncode(k), uriEncode(String(v))])
        .sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0))
        .map(([k, v]) => `${k}=${v}`).join('&');
  }

  // fetch(), signed for `service`. `path` is already encoded; SigV4 for services other than S3
  // encodes the path as sent once more (a no-op for efsd's ids).
  async function signedFetch(method, path, {query = {}, body = '', service}) {
    const key = storedKey();
    if (!key) throw new ApiError('SignedOut', 'sign in first');
    if (!crypto.subtle) {
      throw new ApiError('InsecureContext', 'this browser offers no WebCrypto to sign with on ' +
                         'plain HTTP to another host: open the console at http://127.0.0.1:PORT/ ' +
                         '(through an SSH tunnel) or behind HTTPS');
    }
    const amzDate = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+/, '');
    const date = amzDate.slice(0, 8);
    const q = canonicalQuery(query);
    const canonical = [method, path.split('/').map(uriEncode).join('/'), q,
                       `host:${location.host}\nx-amz-date:${amzDate}\n`, 'host;x-amz-date',
                       await sha256(body)].join('\n');
    const scope = `${date}/${key.region}/${service}/aws4_request`;
    const toSign = `AWS4-HMAC-SHA256\n${amzDate}\n${scope}\n${await sha256(canonical)}`;
    let k = await hmac('AWS4' + key.secret, date);
    for (const part of [key.region, service, 'aws4_request']) k = await hmac(k, part);
    const signature = hex(await hmac(k, toSign));
    const headers = {
      'X-Amz-Date': amzDate,
      'Authorization': `AWS4-HMAC-SHA256 Credential=${key.id}/${scope}, ` +
                       `SignedHeaders=host;x-amz-date, Signature=${signature}`,
    };
    if (body) headers['Content-Type'] = 'application/json';
    return fetchOrSay(path + (q ? '?' + q : ''), {method, headers, body: body || undefined});
  }

  // ---- The APIs ----

  class ApiError extends Error {
    constructor(code, message) {
      super(message);
      this.code = code;
    }
  }

  async function fetchOrSay(url, init) {
    try {
      return await fetch(url, {cache: 'no-store', ...init});
    } catch (e) {
      throw new ApiError('Unreachable', `efsd did not answer ${url.split('?')[0]} (${e.message})`);
    }
  }

  // An EFS REST-JSON call: the parsed answer, or an ApiError with AWS's code and message.
  async function efs(method, path, {query, body} = {}) {
    const res = await signedFetch(method, API + path, {
      query, body: body ? JSON.stringify(body) : '', service: 'elasticfilesystem'});
    const text = await res.text();
    if (res.ok) return text ? JSON.parse(text) : {};
    let code = res.headers.get('x-amzn-ErrorType') || `HTTP${res.status}`;
    let message = text;
    try {
      const j = JSON.parse(text);
      code = j.ErrorCode || code;
      message = j.Message || '';
    } catch (e) { /* not JSON: show the text */ }
    throw new ApiError(code, message);
  }

  // An EC2 Query call at "/": the answer's XML document.
  async function ec2(action, params = {}) {
    const res = await signedFetch('GET', '/', {
      query: {Action: action, Version: EC2_VERSION, ...params}, service: 'ec2'});
    const doc = new DOMParser().parseFromString(await res.text(), 'application/xml');
    if (res.ok) return doc;
    const text = (name) => doc.getElementsByTagName(name)[0]?.textContent;
    throw new ApiError(text('Code') || `HTTP${res.status}`, text('Message') || '');
  }

  // Every page of a paged EFS list.
  async function describeAll(path, field, query = {}) {
    const all = [];
    let marker;
    for (let page = 0; page < 100; page++) {
      const r = await efs('GET', path, {query: {...query, ...(marker && {Marker: marker})}});
      all.push(...r[field]);
      marker = r.NextMarker;
      if (!marker) break;
    }
    return all;
  }

  const child = (node, name) => [...node.children].find((c) => c.localName === name);

  async function describeSubnets() {
    const doc = await ec2('DescribeSubnets');
    const set = doc.getElementsByTagName('subnetSet')[0];
    return [...(set ? set.children : [])].map((item) => ({
      id: child(item, 'subnetId')?.textContent,
      zone: child(item, 'availabilityZone')?.textContent,
      cidr: child(item, 'cidrBlock')?.textContent,
      vpc: child(item, 'vpcId')?.textContent,
    }));
  }

  // ---- Messages ----

  // An error in the open dialog if there is one, else at the top of the page.
  function showError(e) {
    const box = document.querySelector('dialog[open] .error') || $('#error');
    box.textContent = e instanceof ApiError ? `${e.code}: ${e.message}` : `Error: ${e.message || e}`;
    box.hidden = false;
  }

  function clearErrors() {
    for (const box of document.querySelectorAll('.error')) box.hidden = true;
  }

  function notice(text) {
    $('#notice').textContent = text;
    $('#notice').hidden = !text;
  }

  // An event handler whose failures are shown, not thrown.
  const shown = (fn) => async (event) => {
    try {
      await fn(event);
    } catch (e) {
      showError(e);
    }
  };

  // ---- Formatting ----

  function bytes(n) {
    const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
    let i = 0;
    for (; Math.abs(n) >= 1024 && i < units.length - 1; i++) n /= 1024;
    return i ? `${n.toFixed(Math.abs(n) < 10 ? 2 : 1)} ${units[i]}` : `${n} B`;
  }
  const fixed = (n) => n.toFixed(n < 10 ? 2 : 1);
  const PERIODS = {AFTER_1_ACCESS: 'On first access'};
  const period = (p) => (p ? PERIODS[p] || p.replace(/^AFTER_(\d+)_DAYS?$/, 'After $1 day(s)') : 'None');
  const throughput = (fs) => fs.ThroughputMode === 'provisioned'
    ? `Provisioned (${fs.ProvisionedThroughputInMibps} MiB/s)` : fs.ThroughputMode;

  // ---- State ----

  const state = {
    fileSystems: [],
    selected: '',      // file system id, from location.hash
    mountTargets: [],  // of the selected file system
    listTimer: 0,
    scrapeTimer: 0,
  };

  function storedKey() {
    try {
      return JSON.parse(sessionStorage.getItem(KEY));
    } catch (e) {
      return null;
    }
  }

  // ---- The list and the detail ----

  async function refresh() {
    clearTimeout(state.listTimer);
    try {
      state.fileSystems = await describeAll('/file-systems', 'FileSystems');
      renderList();
      await renderDetail();
    } finally {
      const busy = [...state.fileSystems, ...state.mountTargets]
          .some((x) => /ing$/.test(x.LifeCycleState));
      if (storedKey()) {
        state.listTimer = setTimeout(shown(refresh), busy ? LIST_BUSY_MS : LIST_IDLE_MS);
      }
    }
  }

  function renderList() {
    const rows = state.fileSystems.map((fs) => {
      const size = fs.SizeInBytes || {};
      const link = el('a', {href: '#' + fs.FileSystemId}, fs.FileSystemId);
      return el('tr', {className: fs.FileSystemId === state.selected ? 'selected' : ''},
                el('td', {}, fs.Name || '-'), el('td', {}, link),
                el('td', {}, el('span', {className: 'state ' + fs.LifeCycleState}, fs.LifeCycleState)),
                el('td', {}, bytes(size.Value || 0)), el('td', {}, bytes(size.ValueInStandard || 0)),
                el('td', {}, bytes(size.ValueInIA || 0)), el('td', {}, bytes(size.ValueInArchive || 0)),
                el('td', {}, fs.PerformanceMode), el('td', {}, throughput(fs)),
                el('td', {}, String(fs.NumberOfMountTargets)));
    });
    $('#fs-table tbody').replaceChildren(...rows);
    $('#fs-count').textContent = rows.length;
    $('#fs-empty').hidden = rows.length > 0;
  }

  function facts(dl, pairs) {
    dl.replaceChildren(...pairs.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)]));
  }

  async function renderDetail() {
    const fs = state.fileSystems.find((f) => f.FileSystemId === state.selected);
    $('#detail').hidden = !fs;
    if (!fs) {
      state.mountTargets = [];
      return;
    }
    const id = fs.FileSystemId;
    const [mountTargets, lifecycle] = await Promise.all([
      describeAll('/mount-targets', 'MountTargets', {FileSystemId: id}),
      efs('GET', `/file-systems/${id}/lifecycle-configuration`),
    ]);
    if (id !== state.selected) return;  // another was picked meanwhile
    state.mountTargets = mountTargets;
    $('#detail-title').textContent = fs.Name ? `${fs.Name} (${id})` : id;
    const size = fs.SizeInBytes || {};
    facts($('#general'), [['File system ID', id], ['State', fs.LifeCycleState],
      ['Performance mode', fs.PerformanceMode], ['Throughput mode', throughput(fs)],
      ['Creation token', fs.CreationToken],
      ['Created', new Date(fs.CreationTime * 1000).toLocaleString()]]);
    facts($('#metered'), [['Total', bytes(size.Value || 0)],
      ['Standard', bytes(size.ValueInStandard || 0)], ['Infrequent Access (IA)',
        bytes(size.ValueInIA || 0)], ['Archive', bytes(size.ValueInArchive || 0)]]);
    const policy = Object.assign({}, ...(lifecycle.LifecyclePolicies || []));
    facts($('#lifecycle'), [['Transition into IA', period(policy.TransitionToIA)],
      ['Transition into Archive', period(policy.TransitionToArchive)],
      ['Transition into Standard', period(policy.TransitionToPrimaryStorageClass)]]);
    $('#mt-table tbody').replaceChildren(...mountTargets.map((mt) => el('tr', {},
        el('td', {}, mt.AvailabilityZoneName), el('td', {}, mt.MountTargetId),
        el('td', {}, mt.SubnetId),
        el('td', {}, el('span', {className: 'state ' + mt.LifeCycleState}, mt.LifeCycleState)),
        el('td', {}, mt.IpAddress), el('td', {}, mt.NetworkInterfaceId || '-'))));
    $('#mt-empty').hidden = mountTargets.length > 0;
    charts.show(id);
  }

  async function select() {
    state.selected = location.hash.slice(1);
    renderList();
    await renderDetail();
  }

  // ---- Charts of /metrics ----

  // Each chart: its series, each a label and a function of (latest sample, rates per second).
  const CHARTS = [
    {id: 'throughput', title: 'Throughput', unit: 'MiB/s', fmt: (v) => `${fixed(v)} MiB/s`,
     series: [['Read', (s, r) => r.efs_data_read_io_bytes_total / MiB],
              ['Write', (s, r) => r.efs_data_write_io_bytes_total / MiB],
              ['Metadata', (s, r) => r.efs_metadata_io_bytes_total / MiB]]},
    {id: 'iops', title: 'IOPS', unit: 'ops/s', fmt: (v) => `${v.toFixed(0)}/s`,
     series: [['Read', (s, r) => r['efs_requests_total:data_read']],
              ['Write', (s, r) => r['efs_requests_total:data_write']],
              ['Metadata', (s, r) => r['efs_requests_total:metadata']]]},
    {id: 'burst', title: 'Burst credit balance', unit: 'GiB', fmt: (v) => bytes(v * GiB),
     series: [['Balance', (s) => s.efs_burst_credit_balance_bytes / GiB]]},
    {id: 'percent-io', title: 'Percent IO limit', unit: '%', fmt: (v) => `${v.toFixed(1)}%`,
     range: [0, 100], series: [['Used', (s) => s.efs_percent_io_limit]]},
    {id: 'storage', title: 'Storage by class', unit: 'MiB', fmt: (v) => bytes(v * MiB),
     series: [['Standard', (s) => s['efs_storage_bytes:Standard'] / MiB],
              ['IA', (s) => s['efs_storage_bytes:IA'] / MiB],
              ['Archive', (s) => s['efs_storage_bytes:Archive'] / MiB]]},
    {id: 'connections', title: 'Client connections', unit: '', fmt: (v) => String(v),
     series: [['Connections', (s) => s.efs_client_connections]]},
  ];
  const COLORS = ['#0972d3', '#e07941', '#5f6b7a'];

  // Prometheus text: for each file_system_id, {name or name:label: value}.
  function parseMetrics(text) {
    const byFs = new Map();
    for (const line of text.split('\n')) {
      const m = /^(\w+)\{(.*)\} (\S+)$/.exec(line);
      if (!m) continue;
      const labels = {};
      for (const [, k, v] of m[2].matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[k] = v;
      const id = labels.file_system_id;
      if (!id) continue;
      const rest = Object.keys(labels).filter((k) => k !== 'file_system_id').map((k) => labels[k]);
      if (!byFs.has(id)) byFs.set(id, {});
      byFs.get(id)[rest.length ? `${m[1]}:${rest.join(',')}` : m[1]] = Number(m[3]);
    }
    return byFs;
  }

  const charts = {
    history: new Map(),  // file system id -> {prev, t: [], values: [[per series] per chart]}
    plots: null,         // the selected file system's uPlots, in CHARTS order
    shownId: '',

    // Adds a scrape taken at `now` (seconds) to every file system's history.
    record(now, byFs) {
      for (const id of this.history.keys()) if (!byFs.has(id)) this.history.delete(id);
      for (const [id, sample] of byFs) {
        let h = this.history.get(id);
        if (!h) {
          h = {prev: null, t: [], values: CHARTS.map((c) => c.series.map(() => []))};
          this.history.set(id, h);
        }
        const rates = {};
        for (const k of Object.keys(sample)) {
          const dt = h.prev ? now - h.prev.t : 0;
          const d = h.prev ? sample[k] - (h.prev.sample[k] || 0) : 0;
          rates[k] = dt > 0 && d > 0 ? d / dt : 0;  // a restarted counter counts as 0
        }
        h.prev = {t: now, sample};
        h.t.push(now);
        CHARTS.forEach((c, i) => c.series.forEach(([, f], j) => h.values[i][j].push(f(sample, rates) || 0)));
        const old = h.t.findIndex((t) => t >= now - WINDOW_S);
        if (old > 0) {
          h.t.splice(0, old);
          for (const v of h.values) for (const s of v) s.splice(0, old);
        }
      }
    },

    // Makes the charts of file system `id` if they are not those shown.
    show(id) {
      if (this.shownId === id && this.plots) return;
      this.shownId = id;
      this.plots?.forEach((p) => p.destroy());
      const root = $('#charts');
      root.replaceChildren();
      this.plots = CHARTS.map((c) => {
        const plot = el('div', {className: 'plot'});
        root.append(el('figure', {className: 'chart'},
                       el('figcaption', {}, el('span', {className: 'title'}, c.title),
                          el('output', {id: 'latest-' + c.id, className: 'latest'}, '-')),
                       plot));
        return new uPlot({
          width: plot.clientWidth || 400, height: 170, legend: {live: false},
          cursor: {drag: {x: false, y: false}},
          scales: {x: {time: true}, y: c.range ? {range: c.range} : {}},
          axes: [{}, {size: 56, label: c.unit, labelSize: 14}],
          series: [{}, ...c.series.map(([label], j) => ({
            label, stroke: COLORS[j], width: 1.5, points: {show: false}}))],
        }, this.data(0), plot);
      });
      this.draw();
    },

    // Chart i's data for the shown file system: [times, series...].
    data(i) {
      const h = this.history.get(this.shownId);
      return [h ? h.t : [], ...CHARTS[i].series.map((_, j) => (h ? h.values[i][j] : []))];
    },

    draw() {
      if (!this.plots) return;
      const h = this.history.get(this.shownId);
      CHARTS.forEach((c, i) => {
        this.plots[i].setData(this.data(i));
        $('#latest-' + c.id).textContent = c.series.map(([label], j) => {
          const last = h ? h.values[i][j].at(-1) : undefined;
          return `${label} ${last === undefined ? '-' : c.fmt(last)}`;
        }).join(' · ');
      });
    },

    // Fits each chart to its box (after a window resize, or a tab shown).
    resize() {
      this.plots?.forEach((p) => p.setSize({width: p.root.parentNode.clientWidth, height: 170}));
    },
  };

  async function scrape() {
    try {
      const res = await fetchOrSay('/metrics');
      if (!res.ok) throw new ApiError(`HTTP${res.status}`, 'GET /metrics failed');
      charts.record(Date.now() / 1000, parseMetrics(await res.text()));
      charts.draw();
    } catch (e) {
      showError(e);
    } finally {
      if (storedKey()) state.scrapeTimer = setTimeout(scrape, SCRAPE_MS);
    }
  }

  // ---- Create ----

  async function openCreate() {
    clearErrors();
    $('#create-token').value = 'console-' + crypto.getRandomValues(new Uint32Array(2)).join('-');
    $('#create-name').value = '';
    $('#create-dialog').showModal();
    const subnets = await describeSubnets();
    $('#create-subnet').replaceChildren(el('option', {value: ''}, 'None'), ...subnets.map((s) =>
      el('option', {value: s.id}, `${s.zone}: ${s.id} (${s.cidr}, ${s.vpc})`)));
  }

  async function create(event) {
    event.preventDefault();
    const name = $('#create-name').value.trim();
    const body = {
      CreationToken: $('#create-token').value,
      PerformanceMode: $('#create-performance').value,
      ThroughputMode: $('#create-throughput').value,
      Tags: name ? [{Key: 'Name', Value: name}] : [],
    };
    if (body.ThroughputMode === 'provisioned') {
      body.ProvisionedThroughputInMibps = Number($('#create-provisioned').value);
    }
    const subnet = $('#create-subnet').value;
    const fs = await efs('POST', '/file-systems', {body});
    $('#create-dialog').close();
    location.hash = fs.FileSystemId;
    if (subnet) await addMountTarget(fs.FileSystemId, subnet);
    await refresh();
  }

  // Waits (at most about a minute) until `done()` says so.
  async function until(done, what) {
    for (let i = 0; i < 120; i++) {
      if (await done()) return;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    throw new ApiError('Timeout', `${what} took over a minute`);
  }

  async function addMountTarget(id, subnet) {
    notice(`Waiting for ${id} to be available, to add its mount target in ${subnet}...`);
    try {
      await until(async () => (await efs('GET', '/file-systems', {query: {FileSystemId: id}}))
          .FileSystems[0].LifeCycleState === 'available', `${id} becoming available`);
      await efs('POST', '/mount-targets', {body: {FileSystemId: id, SubnetId: subnet}});
    } finally {
      notice('');
    }
  }

  // ---- Delete ----

  function openDelete() {
    clearErrors();
    $('#delete-id').textContent = state.selected;
    $('#delete-confirm').value = '';
    $('#delete-mts').checked = false;
    $('#delete-mt-count').textContent = state.mountTargets.length;
    $('#delete-mts-row').hidden = state.mountTargets.length === 0;
    $('#delete-dialog').showModal();
  }

  async function remove(event) {
    event.preventDefault();
    const id = state.selected;
    if ($('#delete-confirm').value.trim() !== id) {
      throw new ApiError('NotConfirmed', `type ${id} to delete it`);
    }
    if ($('#delete-mts').checked) {
      notice(`Deleting the mount targets of ${id}...`);
      try {
        for (const mt of state.mountTargets) await efs('DELETE', `/mount-targets/${mt.MountTargetId}`);
        await until(async () => (await describeAll('/mount-targets', 'MountTargets',
                                                   {FileSystemId: id})).length === 0,
                    `deleting the mount targets of ${id}`);
      } finally {
        notice('');
      }
    }
    try {
      await efs('DELETE', `/file-systems/${id}`);
    } catch (e) {
      if (e.code === 'FileSystemInUse') e.message += ' (tick "Delete its mount targets first")';
      throw e;
    }
    $('#delete-dialog').close();
    location.hash = '';
    await refresh();
  }

  // ---- Signing in and out ----

  async function signIn(event) {
    event.preventDefault();
    clearErrors();
    sessionStorage.setItem(KEY, JSON.stringify({
      id: $('#key-id').value.trim(), secret: $('#key-secret').value,
      region: $('#key-region').value.trim()}));
    try {
      await refresh();
    } catch (e) {
      signOut();
      throw e;
    }
    $('#key-secret').value = '';
    start();
  }

  function signOut() {
    sessionStorage.removeItem(KEY);
    clearErrors();
    notice('');
    clearTimeout(state.listTimer);
    clearTimeout(state.scrapeTimer);
    charts.plots?.forEach((p) => p.destroy());
    Object.assign(charts, {plots: null, shownId: ''});
    charts.history.clear();
    $('#console').hidden = true;
    $('#sign-out').hidden = true;
    $('#who').textContent = '';
    $('#sign-in').hidden = false;
  }

  function start() {
    $('#sign-in').hidden = true;
    $('#console').hidden = false;
    $('#sign-out').hidden = false;
    $('#who').textContent = storedKey().id;
    clearTimeout(state.scrapeTimer);
    scrape();
  }

  function showTab(name) {
    for (const b of document.querySelectorAll('.tabs button')) {
      b.classList.toggle('active', b.dataset.tab === name);
    }
    $('#tab-monitoring').hidden = name !== 'monitoring';
    $('#tab-network').hidden = name !== 'network';
    charts.resize();
  }

  function wire() {
    $('#sign-in-form').addEventListener('submit', shown(signIn));
    $('#sign-out').addEventListener('click', signOut);
    $('#refresh').addEventListener('click', shown(refresh));
    $('#create-open').addEventListener('click', shown(openCreate));
    $('#create-form').addEventListener('submit', shown(create));
    $('#create-throughput').addEventListener('change', () => {
      $('#create-provisioned-row').hidden = $('#create-throughput').value !== 'provisioned';
    });
    $('#delete-open').addEventListener('click', openDelete);
    $('#delete-form').addEventListener('submit', shown(remove));
    $('#error').addEventListener('click', () => { $('#error').hidden = true; });
    for (const b of document.querySelectorAll('dialog .cancel')) {
      b.addEventListener('click', () => b.closest('dialog').close());
    }
    for (const b of document.querySelectorAll('.tabs button')) {
      b.addEventListener('click', () => showTab(b.dataset.tab));
    }
    window.addEventListener('hashchange', shown(select));
    window.addEventListener('resize', () => charts.resize());
  }

  wire();
  state.selected = location.hash.slice(1);
  if (storedKey()) {
    start();
    shown(refresh)();
  } else {
    $('#sign-in').hidden = false;
  }
})();
