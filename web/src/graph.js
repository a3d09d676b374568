// Drawing marketplace graphs with cytoscape.js: a network's members, a
// path, a trace. Nodes are keyed "kind:id"; their shape says the kind,
// their colour the role hint; edge style says the layer, and an arrow is
// drawn only on a directed edge (shipments and payments, tail to head).
//
// Large graphs (more than kLargeGraph nodes) stay responsive: a layout
// in one pass (radialPositions), straight or haystack edges, a
// texture while panning, edges hidden while moving, and labels only once
// zoomed in (min-zoomed-font-size).

import cytoscape from 'cytoscape';
import {h} from './dom.js';

export const kLargeGraph = 300;

export const kRoleColours = {
  source: '#c62828',
  distributor: '#ef6c00',
  storefront: '#6a1b9a',
  collector: '#00897b',
  legit: '#9e9e9e',
  '': '#607d8b',
};

export const kKindShapes = {
  seller: 'ellipse',
  warehouse: 'round-rectangle',
  account: 'diamond',
  brand: 'triangle',
};

export const kLayerStyles = {
  seller: {colour: '#8d8d8d', line: 'solid', label: 'seller link'},
  warehouse: {colour: '#a1887f', line: 'dashed', label: 'stock (warehouse)'},
  payment: {colour: '#2e7d32', line: 'solid', label: 'payment →'},
  shipment: {colour: '#1565c0', line: 'solid', label: 'shipment →'},
};

export const kLayers = Object.keys(kLayerStyles);

export function refKey(ref) {
  return `${ref.kind}:${ref.id}`;
}

// A node's data from an EntityRef and what is known of it.
export function nodeData(ref, {role = '', risk = null, rank = 0, reason = '', evidence = 0, network = ''} = {}) {
  return {
    id: refKey(ref),
    kind: ref.kind,
    ref: ref.id,
    role,
    risk,
    rank,
    reason,
    evidence,
    network,
    label: rank > 0 ? `#${rank}` : ref.id,
    colour: kRoleColours[role] || kRoleColours[''],
    shape: kKindShapes[ref.kind] || 'ellipse',
  };
}

// An edge's data: its layer gives its colour and line.
export function edgeData(id, source, target, layer, {weight = 0, directed = false, label} = {}) {
  const st = kLayerStyles[layer] || {colour: '#8d8d8d', line: 'solid'};
  const data = {id, source, target, layer, weight, directed, colour: st.colour, line: st.line};
  if (label !== undefined) data.label = label;
  return data;
}

// Few selectors: cytoscape matches every element against every one, so
// colour and shape come from each element's data (nodeData, edgeData).
function style(large) {
  return [
    {selector: 'node', style: {
      'background-color': 'data(colour)',
      'shape': 'data(shape)',
      'width': 16, 'height': 16,
      // A large graph has no labels (but its targets') until zoomed in
      // (showLabelsWhenZoomed): measuring a thousand labels costs a frame.
      'label': large ? '' : 'data(label)',
      'font-size': 8,
      'min-zoomed-font-size': 7,
      'text-valign': 'bottom',
      'text-margin-y': 2,
      'color': '#263238',
      'border-width': 1,
      'border-color': '#ffffff',
    }},
    {selector: 'node.labelled', style: {'label': 'data(label)'}},
    {selector: 'node[rank > 0]', style: {
      'label': 'data(label)',
      'border-width': 5, 'border-color': '#111111', 'width': 26, 'height': 26,
      'font-size': 15, 'font-weight': 'bold', 'text-valign': 'center', 'text-halign': 'right', 'text-margin-x': 4,
      'text-margin-y': 0, 'z-index': 5,
    }},
    {selector: 'node.outside', style: {'background-opacity': 0.45, 'border-style': 'dashed', 'border-color': '#37474f', 'border-width': 2}},
    {selector: 'node.hub', style: {'border-style': 'double', 'border-width': 5, 'border-color': '#37474f'}},
    {selector: 'node.start', style: {'border-width': 4, 'border-color': '#fbc02d', 'width': 24, 'height': 24}},
    {selector: 'node:selected', style: {'overlay-color': '#ffd600', 'overlay-opacity': 0.45, 'overlay-padding': 7}},
    {selector: 'edge', style: {
      'width': 1.2,
      'curve-style': large ? 'haystack' : 'bezier',
      'line-color': 'data(colour)',
      'line-style': 'data(line)',
      'opacity': 0.85,
    }},
    {selector: 'edge[?directed]', style: {
      'curve-style': large ? 'straight' : 'bezier',
      'target-arrow-shape': 'triangle',
      'target-arrow-color': 'data(colour)',
      'arrow-scale': 0.8,
    }},
    {selector: 'edge[label]', style: {'label': 'data(label)', 'font-size': 7, 'min-zoomed-font-size': 6,
      'text-rotation': 'autorotate', 'text-background-color': '#ffffff', 'text-background-opacity': 0.8}},
    {selector: 'edge.added', style: {'line-style': 'dotted', 'width': 2}},
    {selector: '.layer-hidden', style: {'display': 'none'}},
    {selector: '.faded', style: {'opacity': 0.15}},
    {selector: 'node.on-path', style: {'opacity': 1, 'overlay-color': '#e91e63', 'overlay-opacity': 0.3, 'overlay-padding': 5}},
    {selector: 'edge.on-path', style: {'opacity': 1, 'width': 4, 'line-color': '#e91e63', 'target-arrow-color': '#e91e63', 'z-index': 10}},
  ];
}

// A large graph's labels appear once a label would be readable (8 px at
// this zoom and above), and go again when zoomed out.
const kLabelZoom = 1.0;

function showLabelsWhenZoomed(cy) {
  let shown = false;
  let pending = false;
  cy.on('zoom', () => {
    if (pending) return;
    pending = true;
    setTimeout(() => {
      pending = false;
      if (cy.destroyed()) return;
      const want = cy.zoom() >= kLabelZoom;
      if (want === shown) return;
      shown = want;
      cy.batch(() => (want ? cy.nodes().addClass('labelled') : cy.nodes().removeClass('labelled')));
    }, 150);
  });
}

// The layout of a large graph, computed here in one pass (O(nodes +
// edges)) before cytoscape sees the elements, so that cytoscape computes
// its styles and bounds once: a radial tree per connected component, from
// its targets (else its busiest member) at the centre outward by BFS
// depth, each subtree given an angle in proportion to its leaves and each
// ring a radius that keeps its nodes kSpacing apart; components packed in
// rows, the isolated members in a block after them.
const kSpacing = 22;
const kRingStep = 70;

export function radialPositions(nodes, edges) {
  const n = nodes.length;
  const index = new Map(nodes.map((node, i) => [node.data.id, i]));
  const adjacent = Array.from({length: n}, () => []);
  for (const e of edges) {
    const a = index.get(e.data.source);
    const b = index.get(e.data.target);
    if (a === undefined || b === undefined || a === b) continue;
    adjacent[a].push(b);
    adjacent[b].push(a);
  }
  const component = new Int32Array(n).fill(-1);
  const components = [];
  for (let v = 0; v < n; v += 1) {
    if (component[v] >= 0) continue;
    const members = [v];
    component[v] = components.length;
    for (let i = 0; i < members.length; i += 1) {
      for (const w of adjacent[members[i]]) if (component[w] < 0) { component[w] = components.length; members.push(w); }
    }
    components.push(members);
  }
  const positions = new Array(n);
  const placed = [];  // {members, x, y (relative), radius}
  const singles = [];
  for (const members of components.sort((a, b) => b.length - a.length)) {
    if (members.length === 1) { singles.push(members[0]); continue; }
    placed.push(radialTree(members, nodes, adjacent, positions));
  }
  // Pack the components in rows (largest first), then the singles.
  const totalArea = placed.reduce((sum, c) => sum + 4 * c.radius * c.radius, 0) + singles.length * kSpacing * kSpacing;
  const rowWidth = Math.max(Math.sqrt(totalArea) * 1.3, placed.length ? 2 * placed[0].radius : 0);
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  for (const c of placed) {
    const size = 2 * c.radius + kSpacing;
    if (x > 0 && x + size > rowWidth) { x = 0; y += rowHeight; rowHeight = 0; }
    const cx = x + size / 2;
    const cy = y + size / 2;
    for (const v of c.members) positions[v] = {x: positions[v].x + cx, y: positions[v].y + cy};
    x += size;
    rowHeight = Math.max(rowHeight, size);
  }
  if (singles.length) {
    y += rowHeight + kSpacing;
    const perRow = Math.max(1, Math.floor(rowWidth / kSpacing));
    singles.forEach((v, i) => { positions[v] = {x: (i % perRow) * kSpacing, y: y + Math.floor(i / perRow) * kSpacing}; });
  }
  return positions;
}

function radialTree(members, nodes, adjacent, positions) {
  const targets = members.filter((v) => nodes[v].data.rank > 0).sort((a, b) => nodes[a].data.rank - nodes[b].data.rank);
  const roots = targets.length ? targets : [members.reduce((a, b) => (adjacent[b].length > adjacent[a].length ? b : a))];
  // BFS from the roots together; a single root sits at the centre, several
  // sit on the first ring around an empty centre.
  const depth = new Map();
  const children = new Map();
  const order = [];
  const base = roots.length === 1 ? 0 : 1;
  for (const r of roots) { depth.set(r, base); children.set(r, []); order.push(r); }
  for (let i = 0; i < order.length; i += 1) {
    const v = order[i];
    for (const w of adjacent[v]) {
      if (depth.has(w)) continue;
      depth.set(w, depth.get(v) + 1);
      children.set(w, []);
      children.get(v).push(w);
      order.push(w);
    }
  }
  const leaves = new Map();
  for (let i = order.length - 1; i >= 0; i -= 1) {
    const v = order[i];
    const c = children.get(v);
    leaves.set(v, c.length ? c.reduce((sum, w) => sum + leaves.get(w), 0) : 1);
  }
  const perDepth = [];
  for (const v of order) perDepth[depth.get(v)] = (perDepth[depth.get(v)] || 0) + 1;
  const radius = [];
  for (let d = 0; d < perDepth.length; d += 1) {
    const needed = (perDepth[d] || 0) * kSpacing / (2 * Math.PI);
    const step = (perDepth[d] || 0) > 6 ? kRingStep : 2 * kSpacing;  // a small ring sits close
    radius[d] = d === 0 ? 0 : Math.max((radius[d - 1] || 0) + step, needed);
  }
  // Angles: each node's wedge split among its children by their leaves.
  const wedge = new Map();
  const all = roots.reduce((sum, r) => sum + leaves.get(r), 0);
  let start = 0;
  for (const r of roots) {
    const span = (2 * Math.PI * leaves.get(r)) / all;
    wedge.set(r, [start, span]);
    start += span;
  }
  for (const v of order) {
    const [from, span] = wedge.get(v);
    const d = depth.get(v);
    const angle = from + span / 2;
    positions[v] = {x: radius[d] * Math.cos(angle), y: radius[d] * Math.sin(angle)};
    let at = from;
    const total = leaves.get(v);
    for (const w of children.get(v)) {
      const share = (span * leaves.get(w)) / total;
      wedge.set(w, [at, share]);
      at += share;
    }
  }
  return {members, radius: radius[radius.length - 1] + kSpacing};
}

export function layoutOptions(n) {
  if (n > kLargeGraph) return {name: 'preset', fit: true, padding: 20};
  // cose costs n^2 per iteration: a budget of about 4 M pair moves, and
  // the temperature cooled to its floor within it.
  const numIter = Math.round(Math.max(80, Math.min(1000, 4e6 / Math.max(1, n * n))));
  return {name: 'cose', animate: false, fit: true, padding: 24, randomize: true, nodeDimensionsIncludeLabels: false,
    numIter, initialTemp: 1000, minTemp: 1, coolingFactor: Math.pow(1 / 1000, 1 / numIter),
    idealEdgeLength: () => 48, nodeRepulsion: () => 6000, gravity: 0.6, componentSpacing: 60};
}

// A cytoscape instance in `container` holding `elements`, laid out with
// `layout` (default: by size; a large graph's positions are computed
// before cytoscape is made). Resolves once the layout has stopped and the
// first frame after it is drawn.
export function drawGraph(container, elements, layout) {
  const t0 = performance.now();
  const nodes = elements.filter((e) => e.group === 'nodes');
  const n = nodes.length;
  const large = n > kLargeGraph;
  const options = layout || layoutOptions(n);
  if (options.name === 'preset' && !layout) {
    const edges = elements.filter((e) => e.group === 'edges');
    radialPositions(nodes, edges).forEach((p, i) => { nodes[i].position = p; });
  }
  const timings = {init: 0, layout: 0};
  let resolveReady;
  const ready = new Promise((resolve) => { resolveReady = resolve; });
  const afterFrames = (cy) => requestAnimationFrame(() => requestAnimationFrame(() => resolveReady(cy)));
  const cy = cytoscape({
    container,
    elements,
    style: style(large),
    // A preset layout runs here, once; any other runs below, from nothing
    // (the null layout computes no bounds).
    layout: options.name === 'preset' ? options : {name: 'null'},
    minZoom: 0.02,
    maxZoom: 6,
    textureOnViewport: large,
    hideEdgesOnViewport: large,
    motionBlur: false,
    pixelRatio: large ? 1 : 'auto',
    boxSelectionEnabled: false,
  });
  if (large) showLabelsWhenZoomed(cy);
  timings.init = performance.now() - t0;
  if (options.name === 'preset') {
    afterFrames(cy);
  } else {
    const t1 = performance.now();
    const run = cy.layout(options);
    run.one('layoutstop', () => {
      timings.layout = performance.now() - t1;
      afterFrames(cy);
    });
    run.run();
  }
  return {cy, ready, timings};
}

// The elements of a NetworkGraph: nodes keyed by their entity, edges by
// their index.
export function networkElements(graph) {
  const nodes = graph.nodes.map((n) => ({group: 'nodes', data: nodeData(n.entity, {
    role: n.role_hint, risk: n.risk, rank: n.target_rank, reason: n.target_reason, evidence: n.evidence,
    network: graph.summary.network})}));
  const edges = [];
  graph.edges.forEach((e, i) => {
    const tail = graph.nodes[e.tail];
    const head = graph.nodes[e.head];
    if (!tail || !head) return;
    edges.push({group: 'edges', data: edgeData(`e${i}`, refKey(tail.entity), refKey(head.entity), e.layer,
      {weight: e.weight, directed: Boolean(e.directed)})});
  });
  return [...nodes, ...edges];
}

function findEdge(cy, a, b, layer) {
  return cy.edges().filter((e) => e.data('layer') === layer &&
    ((e.data('source') === a && e.data('target') === b) || (e.data('source') === b && e.data('target') === a)));
}

let added = 0;

// Adds a node for `ref` (if missing) near `near`, and returns it.
export function ensureNode(cy, ref, data, near) {
  const key = refKey(ref);
  let node = cy.getElementById(key);
  if (node.nonempty()) return node;
  const at = near && near.nonempty() ? near.position() : {x: 0, y: 0};
  const angle = Math.random() * 2 * Math.PI;
  node = cy.add({group: 'nodes', data: nodeData(ref, data), classes: 'outside',
    position: {x: at.x + 60 * Math.cos(angle), y: at.y + 60 * Math.sin(angle)}});
  return node;
}

// Adds an edge a–b on `layer` unless one is there, and returns it.
export function ensureEdge(cy, aKey, bKey, layer, weight) {
  const found = findEdge(cy, aKey, bKey, layer);
  if (found.nonempty()) return found;
  added += 1;
  return cy.add({group: 'edges', data: edgeData(`added${added}`, aKey, bKey, layer, {weight}), classes: 'added'});
}

// Highlights the steps of PathResult.paths, adding any node or edge the
// graph lacks (a path may leave the network). Returns the highlighted set.
export function showPaths(cy, paths) {
  cy.elements().removeClass('on-path faded');
  let marked = cy.collection();
  for (const path of paths) {
    for (const step of path.steps) {
      const tail = ensureNode(cy, step.tail, {}, cy.getElementById(refKey(step.head)));
      const head = ensureNode(cy, step.head, {}, tail);
      const edge = ensureEdge(cy, tail.id(), head.id(), step.layer, step.weight);
      marked = marked.union(tail).union(head).union(edge);
    }
  }
  cy.elements().difference(marked).addClass('faded');
  marked.addClass('on-path');
  return marked;
}

export function clearPaths(cy) {
  cy.elements().removeClass('on-path faded');
}

// The legend: shapes by kind, colours by role, lines by layer.
export function legend() {
  const glyph = {seller: '●', warehouse: '■', account: '◆', brand: '▲'};
  const swatch = (colour) => {
    const s = h('span', {class: 'swatch'});
    s.style.backgroundColor = colour;
    return s;
  };
  const line = (st) => {
    const s = h('span', {class: 'line'});
    s.style.borderTopColor = st.colour;
    s.style.borderTopStyle = st.line;
    return s;
  };
  return h('div', {class: 'legend', testid: 'legend'},
    h('div', null, h('strong', null, 'kind'), Object.keys(kKindShapes).map((k) => h('span', {class: 'item'},
      h('span', {class: 'glyph'}, glyph[k]), k))),
    h('div', null, h('strong', null, 'role'), Object.entries(kRoleColours).filter(([r]) => r).map(([r, c]) =>
      h('span', {class: 'item'}, swatch(c), r))),
    h('div', null, h('strong', null, 'layer'), Object.entries(kLayerStyles).map(([, st]) =>
      h('span', {class: 'item'}, line(st), st.label))),
    h('div', null, h('strong', null, 'target'), h('span', {class: 'item'}, h('span', {class: 'ring'}), '#rank: thick border')));
}
