/* fragnum atlas: the page's code. Data come from script tags (data/*.js assign into
   window.FRAGNUM_ATLAS), so the page works as file:// with nothing fetched. State in the hash:
   #couche=<layer>&niveau=<level>&vue=<zoom>/<lat>/<lon> */
(function () {
  'use strict';
  var A = window.FRAGNUM_ATLAS || {};
  var C = A.catalogue;
  A.couches = A.couches || {};
  A.zones = A.zones || {};
  var state = { groupe: null, niveau: null, couche: null };
  var map = null;
  var mapReady = false;
  var hovered = null;
  var shown = null; /* the layer drawn */
  var tip = null;

  function $(id) { return document.getElementById(id); }
  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    if (attrs) { Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); }); }
    if (text !== undefined && text !== null) { e.textContent = text; }
    return e;
  }
  function message(text) {
    var m = $('message');
    m.hidden = !text;
    m.textContent = text || '';
  }
  function fold(s) {
    return String(s || '').normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
  }

  /* ---- groups, levels, hash ---- */
  var groups = {};
  var groupOrder = [];
  C.themes.forEach(function (t) {
    t.groupes.forEach(function (g) { groups[g.id] = g; groupOrder.push(g.id); });
  });
  var levelTitles = {};
  C.niveaux.forEach(function (l) { levelTitles[l.id] = l.titre; });

  function parseHash() {
    var out = {};
    location.hash.replace(/^#/, '').split('&').forEach(function (p) {
      var i = p.indexOf('=');
      if (i > 0) { out[decodeURIComponent(p.slice(0, i))] = decodeURIComponent(p.slice(i + 1)); }
    });
    return out;
  }
  var writingHash = false;
  function writeHash() {
    var parts = ['couche=' + encodeURIComponent(state.groupe), 'niveau=' + encodeURIComponent(state.niveau)];
    if (map && mapReady) {
      var c = map.getCenter();
      parts.push('vue=' + map.getZoom().toFixed(2) + '/' + c.lat.toFixed(5) + '/' + c.lng.toFixed(5));
    }
    var h = '#' + parts.join('&');
    if (location.hash === h) { return; }
    try { history.replaceState(null, '', h); } catch (e) { writingHash = true; location.hash = h; }
  }
  function choose(groupe, niveau) {
    if (!groups[groupe]) { groupe = groupOrder[0]; }
    var g = groups[groupe];
    /* Default: the finest level the layer has (the catalogue lists levels finest first). */
    if (!g.niveaux[niveau]) { niveau = C.niveaux.map(function (l) { return l.id; }).filter(function (l) { return g.niveaux[l]; })[0]; }
    state.groupe = groupe;
    state.niveau = niveau;
    state.couche = g.niveaux[niveau];
    var radios = document.querySelectorAll('input[name="couche"]');
    Array.prototype.forEach.call(radios, function (r) { r.checked = r.value === groupe; });
    levelSwitch(g);
    loadLayer(state.couche, function (couche) { show(couche); });
  }

  function levelSwitch(g) {
    var box = $('niveaux-choix');
    box.textContent = '';
    var levels = C.niveaux.map(function (l) { return l.id; }).filter(function (l) { return g.niveaux[l]; });
    $('niveaux').hidden = levels.length < 2;
    levels.forEach(function (l) {
      var lab = el('label');
      var input = el('input', { type: 'radio', name: 'niveau', value: l });
      input.checked = l === state.niveau;
      input.addEventListener('change', function () { if (input.checked) { choose(state.groupe, l); writeHash(); } });
      lab.appendChild(input);
      lab.appendChild(document.createTextNode(' ' + (levelTitles[l] || l)));
      box.appendChild(lab);
    });
  }

  function loadLayer(id, done) {
    if (A.couches[id]) { done(A.couches[id]); return; }
    var s = document.createElement('script');
    s.src = C.couches[id].fichier;
    s.onload = function () { done(A.couches[id]); };
    s.onerror = function () { message('Fichier de données absent : ' + C.couches[id].fichier + '. Relancez fragnum render.'); };
    document.head.appendChild(s);
  }

  /* ---- the layer's features: outlines of its level joined with its properties ---- */
  function features(couche) {
    var z = A.zones[couche.niveau];
    var out = [];
    if (!z) { return { type: 'FeatureCollection', features: out }; }
    z.features.forEach(function (f) {
      var p = couche.zones[f.properties.code];
      if (!p) { return; }
      var props = { code: f.properties.code, name: f.properties.name, commune: f.properties.commune };
      Object.keys(p).forEach(function (k) { props[k] = p[k]; });
      out.push({ type: 'Feature', geometry: f.geometry, properties: props });
    });
    return { type: 'FeatureCollection', features: out };
  }

  function show(couche) {
    shown = couche;
    legend(couche);
    table(couche);
    if (map && mapReady) {
      map.getSource('zones').setData(features(couche));
      map.setLayoutProperty('communes-limites', 'visibility', couche.niveau === 'commune' ? 'none' : 'visible');
    }
    document.body.setAttribute('data-couche', couche.id);
  }

  /* ---- legend and table ---- */
  function legend(couche) {
    var L = couche.legend;
    var box = $('legende');
    box.textContent = '';
    box.appendChild(el('h2', null, L.title));
    var meta = [L.unit, L.method ? 'classes : ' + L.method : ''].filter(Boolean).join(' — ');
    if (meta) { box.appendChild(el('p', { 'class': 'note' }, meta)); }
    var ul = el('ul');
    L.entries.forEach(function (e) {
      var li = el('li', { 'data-sorte': e.kind });
      var sw = el('span', { 'class': 'case' + (e.kind === 'imputed' ? ' impute' : ''), 'aria-hidden': 'true' });
      if (e.kind !== 'imputed') { sw.style.background = e.colour; }
      li.appendChild(sw);
      var zones = e.count + (e.count > 1 ? ' zones' : ' zone');
      li.appendChild(el('span', null, e.label + ' (' + zones + ')' + (e.note ? ' — ' + e.note : '')));
      ul.appendChild(li);
    });
    box.appendChild(ul);
    var src = 'Source : ' + (L.source || 'non précisée') + (L.vintage ? ' — millésime ' + L.vintage : '');
    box.appendChild(el('p', { 'class': 'source' }, src));
  }

  function sheetOf(code) { return C.fiches[code] || null; }

  function table(couche) {
    var box = $('tableau-contenu');
    box.textContent = '';
    var t = el('table');
    t.appendChild(el('caption', null, couche.titre + ' — ' + (levelTitles[couche.niveau] || couche.niveau) + ', du plus élevé au plus faible'));
    var head = el('thead');
    var tr = el('tr');
    [['Zone', ''], ['Commune', ''], ['Valeur', 'n'], ['Classe', '']].forEach(function (h) {
      tr.appendChild(el('th', { scope: 'col', 'class': h[1] }, h[0]));
    });
    head.appendChild(tr);
    t.appendChild(head);
    var body = el('tbody');
    var names = {};
    var z = A.zones[couche.niveau];
    if (z) { z.features.forEach(function (f) { names[f.properties.code] = f.properties; }); }
    var rows = Object.keys(couche.zones).map(function (code) { return [code, couche.zones[code]]; });
    rows.sort(function (a, b) {
      var va = a[1].value, vb = b[1].value;
      if (va === null || va === undefined) { return 1; }
      if (vb === null || vb === undefined) { return -1; }
      return vb - va;
    });
    rows.forEach(function (r) {
      var code = r[0], p = r[1], n = names[code] || {};
      var row = el('tr', { 'data-code': code });
      var th = el('th', { scope: 'row' });
      var sheet = sheetOf(code);
      var label = (n.name || code);
      if (sheet) { th.appendChild(el('a', { href: sheet }, label)); } else { th.textContent = label; }
      row.appendChild(th);
      row.appendChild(el('td', null, n.commune || ''));
      row.appendChild(el('td', { 'class': 'n' }, p.value_label + (p.statut === 'imputé' ? ' (imputée)' : '')));
      row.appendChild(el('td', null, p.label));
      body.appendChild(row);
    });
    t.appendChild(body);
    box.appendChild(t);
  }

  /* ---- search ---- */
  var places = [];
  function addPlaces(fc, kind) {
    if (!fc) { return; }
    fc.features.forEach(function (f) {
      if (!f.properties.name) { return; }
      places.push({ name: f.properties.name, commune: f.properties.commune, kind: kind, code: f.properties.code, geometry: f.geometry, key: fold(f.properties.name) });
    });
  }
  addPlaces(A.communes, 'Commune');
  C.niveaux.forEach(function (l) { if (!(l.id === 'commune' && A.communes)) { addPlaces(A.zones[l.id], l.titre.replace(/s$/, '')); } });

  function bboxOf(geometry) {
    var b = [Infinity, Infinity, -Infinity, -Infinity];
    function walk(c) {
      if (typeof c[0] === 'number') {
        b[0] = Math.min(b[0], c[0]); b[1] = Math.min(b[1], c[1]); b[2] = Math.max(b[2], c[0]); b[3] = Math.max(b[3], c[1]);
      } else { c.forEach(walk); }
    }
    walk(geometry.coordinates);
    return b;
  }
  function goTo(place) {
    var b = bboxOf(place.geometry);
    if (map && mapReady) { map.fitBounds([[b[0], b[1]], [b[2], b[3]]], { padding: 40, maxZoom: 14, duration: 0 }); }
    message(place.kind + ' : ' + place.name + (place.commune && place.commune !== place.name ? ' (' + place.commune + ')' : ''));
  }
  function search() {
    var q = fold($('recherche').value.trim());
    var ul = $('resultats');
    ul.textContent = '';
    if (q.length < 2) { return []; }
    var found = places.filter(function (p) { return p.key.indexOf(q) >= 0; });
    found.sort(function (a, b) { return (a.key.indexOf(q) - b.key.indexOf(q)) || a.key.localeCompare(b.key); });
    found = found.slice(0, 10);
    found.forEach(function (p) {
      var li = el('li');
      var b = el('button', { type: 'button' }, p.name + ' — ' + p.kind.toLowerCase() + (p.commune && p.commune !== p.name ? ', ' + p.commune : ''));
      b.addEventListener('click', function () { goTo(p); });
      li.appendChild(b);
      ul.appendChild(li);
    });
    if (!found.length) { ul.appendChild(el('li', { 'class': 'aide' }, 'Aucun nom ne correspond.')); }
    return found;
  }
  $('recherche').addEventListener('input', search);
  $('recherche-form').addEventListener('submit', function (e) {
    e.preventDefault();
    var found = search();
    if (found.length) { goTo(found[0]); }
  });

  /* ---- switcher ---- */
  Array.prototype.forEach.call(document.querySelectorAll('input[name="couche"]'), function (r) {
    r.addEventListener('change', function () { if (r.checked) { choose(r.value, state.niveau); writeHash(); } });
  });
  window.addEventListener('hashchange', function () {
    if (writingHash) { writingHash = false; return; }
    var h = parseHash();
    if (h.couche !== state.groupe || h.niveau !== state.niveau) { choose(h.couche, h.niveau); }
    applyView(h);
  });
  function applyView(h) {
    if (!h.vue || !map) { return; }
    var v = h.vue.split('/').map(Number);
    if (v.length === 3 && v.every(isFinite)) { map.jumpTo({ zoom: v[0], center: [v[2], v[1]] }); }
  }

  /* ---- map ---- */
  function blankStyle() {
    return { version: 8, sources: {}, layers: [{ id: 'fond', type: 'background', paint: { 'background-color': '#f4f4f1' } }] };
  }
  function empty() { return { type: 'FeatureCollection', features: [] }; }

  function addLayers() {
    map.addSource('zones', { type: 'geojson', data: shown ? features(shown) : empty(), promoteId: 'code' });
    map.addLayer({ id: 'zones-aplat', type: 'fill', source: 'zones', paint: { 'fill-color': ['get', 'colour'], 'fill-opacity': 0.9 } });
    map.addLayer({ id: 'zones-contour', type: 'line', source: 'zones', paint: { 'line-color': '#ffffff', 'line-width': 0.6 } });
    map.addLayer({ id: 'zones-impute', type: 'line', source: 'zones', filter: ['==', ['get', 'statut'], 'imputé'], paint: { 'line-color': '#4d4d4d', 'line-width': 1.2, 'line-dasharray': [1, 1.5] } });
    map.addSource('communes', { type: 'geojson', data: A.communes || empty() });
    map.addLayer({ id: 'communes-limites', type: 'line', source: 'communes', paint: { 'line-color': '#333333', 'line-width': 1.2 } });
    map.addLayer({ id: 'zones-survol', type: 'line', source: 'zones', paint: { 'line-color': '#000000', 'line-width': ['case', ['boolean', ['feature-state', 'survol'], false], 3, 0] } });
    map.addSource('isochrones', { type: 'geojson', data: A.isochrones || empty() });
    map.addLayer({ id: 'isochrones-aplat', type: 'fill', source: 'isochrones', layout: { visibility: 'none' }, paint: { 'fill-color': '#1f4e9c', 'fill-opacity': 0.18 } });
    map.addLayer({ id: 'isochrones-contour', type: 'line', source: 'isochrones', layout: { visibility: 'none' }, paint: { 'line-color': '#1f4e9c', 'line-width': 1.5 } });
    map.addSource('lieux', { type: 'geojson', data: A.lieux || empty() });
    map.addLayer({ id: 'lieux', type: 'circle', source: 'lieux', paint: { 'circle-color': ['get', 'couleur'], 'circle-radius': ['interpolate', ['linear'], ['zoom'], 8, 3.5, 13, 7], 'circle-stroke-color': '#ffffff', 'circle-stroke-width': 1.5 } });
    siteFilter();
    isoToggle();
  }

  function siteFilter() {
    if (!map || !mapReady) { return; }
    var kinds = Array.prototype.filter.call(document.querySelectorAll('input[name="lieux"]'), function (c) { return c.checked; }).map(function (c) { return c.value; });
    map.setFilter('lieux', ['in', ['get', 'sorte'], ['literal', kinds]]);
  }
  function isoToggle() {
    var box = $('isochrones');
    if (!map || !mapReady || !box) { return; }
    var v = box.checked ? 'visible' : 'none';
    map.setLayoutProperty('isochrones-aplat', 'visibility', v);
    map.setLayoutProperty('isochrones-contour', 'visibility', v);
  }
  Array.prototype.forEach.call(document.querySelectorAll('input[name="lieux"]'), function (c) { c.addEventListener('change', siteFilter); });
  if ($('isochrones')) { $('isochrones').addEventListener('change', isoToggle); }

  function tooltip(e, f) {
    if (!tip) { tip = el('div', { 'class': 'infobulle', role: 'tooltip' }); $('carte').appendChild(tip); }
    var p = f.properties;
    tip.textContent = '';
    tip.appendChild(el('strong', null, p.name || p.code));
    if (p.commune && p.commune !== p.name) { tip.appendChild(el('div', null, p.commune)); }
    tip.appendChild(el('div', null, p.value_label + (p.statut === 'imputé' ? ' (estimation imputée)' : '')));
    if (p.status === 'value') { tip.appendChild(el('div', null, 'Classe : ' + p.label)); }
    if (sheetOf(p.code)) { tip.appendChild(el('div', { 'class': 'note' }, 'Cliquer pour ouvrir la fiche')); }
    tip.style.left = (e.point.x + 14) + 'px';
    tip.style.top = (e.point.y + 14) + 'px';
    tip.hidden = false;
  }
  function sitePopup(f, lngLat) {
    var p = f.properties;
    var services = typeof p.services === 'string' ? JSON.parse(p.services) : (p.services || []);
    var box = el('div');
    box.appendChild(el('strong', null, p.nom));
    box.appendChild(el('div', null, p.sorte_titre));
    if (p.commune) { box.appendChild(el('div', null, p.commune)); }
    box.appendChild(el('div', null, services.length ? 'Services : ' + services.join(', ') : 'Services : non renseignés'));
    box.appendChild(p.horaires ? el('div', null, 'Horaires : ' + p.horaires) : el('div', { 'class': 'note' }, 'Horaires : non renseignés dans la source'));
    new maplibregl.Popup({ closeButton: true }).setLngLat(lngLat).setDOMContent(box).addTo(map);
  }

  // `index.html?mesure` holds the page's load event until the map's first idle (every layer
  // drawn), so that headless Chromium's --screenshot and --dump-dom wait for the drawn map; the
  // body then carries data-charge-ms and data-pret-ms, milliseconds from navigation to the map's
  // load and first idle (make bench-atlas). An unclosed blank frame delays the load event.
  var hold = null;
  if (/[?&]mesure\b/.test(location.search)) {
    hold = document.createElement('iframe');
    hold.hidden = true;
    hold.title = 'mesure';
    document.body.appendChild(hold);
    hold.contentDocument.open();
    setTimeout(release, 60000);
  }
  function release() {
    if (hold) { hold.contentDocument.close(); hold = null; }
  }

  function startMap() {
    if (typeof maplibregl === 'undefined') {
      message('La carte ne peut pas s\u2019afficher : la bibliothèque MapLibre GL JS (lib/maplibre-gl.js) est absente de ce dossier. Le tableau des valeurs reste disponible.');
      $('tableau').open = true;
      document.body.setAttribute('data-etat', 'sans-carte');
      release();
      return;
    }
    var h = parseHash();
    var opts = { container: 'carte', style: C.fond || blankStyle(), attributionControl: { compact: true }, preserveDrawingBuffer: true, fadeDuration: 0 };
    var v = (h.vue || '').split('/').map(Number);
    if (v.length === 3 && v.every(isFinite)) { opts.zoom = v[0]; opts.center = [v[2], v[1]]; } else if (C.emprise) { opts.bounds = C.emprise; opts.fitBoundsOptions = { padding: 20 }; }
    try {
      map = new maplibregl.Map(opts);
    } catch (err) {
      message('La carte ne peut pas s\u2019afficher dans ce navigateur (WebGL indisponible). Le tableau des valeurs reste disponible.');
      $('tableau').open = true;
      document.body.setAttribute('data-etat', 'sans-carte');
      release();
      return;
    }
    map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-right');
    map.addControl(new maplibregl.ScaleControl({ unit: 'metric' }), 'bottom-left');
    map.on('load', function () {
      mapReady = true;
      addLayers();
      if (shown) { show(shown); }
      document.body.setAttribute('data-charge-ms', String(Math.round(performance.now())));
      map.once('idle', function () {
        document.body.setAttribute('data-pret-ms', String(Math.round(performance.now())));
        document.body.setAttribute('data-etat', 'pret');
        release();
      });
    });
    map.on('moveend', function () { if (state.groupe) { writeHash(); } });
    map.on('mousemove', 'zones-aplat', function (e) {
      var f = e.features[0];
      if (hovered !== null && hovered !== f.id) { map.setFeatureState({ source: 'zones', id: hovered }, { survol: false }); }
      hovered = f.id;
      map.setFeatureState({ source: 'zones', id: hovered }, { survol: true });
      map.getCanvas().style.cursor = sheetOf(f.properties.code) ? 'pointer' : '';
      tooltip(e, f);
    });
    map.on('mouseleave', 'zones-aplat', function () {
      if (hovered !== null) { map.setFeatureState({ source: 'zones', id: hovered }, { survol: false }); }
      hovered = null;
      map.getCanvas().style.cursor = '';
      if (tip) { tip.hidden = true; }
    });
    map.on('click', function (e) {
      var sites = map.queryRenderedFeatures(e.point, { layers: ['lieux'] });
      if (sites.length) { sitePopup(sites[0], sites[0].geometry.coordinates); return; }
      var zones = map.queryRenderedFeatures(e.point, { layers: ['zones-aplat'] });
      if (!zones.length) { return; }
      var sheet = sheetOf(zones[0].properties.code);
      if (sheet) { window.open(sheet, window.top !== window.self ? '_blank' : '_self'); }
    });
  }

  if (!groupOrder.length) {
    message('Aucune couche à afficher.');
    release();
    return;
  }
  var h0 = parseHash();
  startMap();
  choose(h0.couche, h0.niveau);
}());
