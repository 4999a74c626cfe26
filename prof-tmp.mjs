// src/core/errors.ts
var DroverError = class extends Error {
  code;
  category;
  hint;
  details;
  constructor(category, code, message, options = {}) {
    super(message, options.cause === void 0 ? void 0 : { cause: options.cause });
    this.name = "DroverError";
    this.category = category;
    this.code = code;
    this.hint = options.hint;
    this.details = options.details;
  }
};

// src/adapters/simulated/kube/store.ts
var StoreError = class extends Error {
  constructor(code, reason, message) {
    super(message);
    this.code = code;
    this.reason = reason;
  }
  code;
  reason;
};
var HISTORY_LIMIT = 5e3;
var KubeStore = class {
  constructor(now) {
    this.now = now;
  }
  now;
  rv = 1;
  uidCounter = 0;
  objects = /* @__PURE__ */ new Map();
  history = [];
  listeners = /* @__PURE__ */ new Set();
  get resourceVersion() {
    return String(this.rv);
  }
  /** Oldest resourceVersion a watch may start after; older ones are expired. */
  get oldestWatchableVersion() {
    return this.history[0]?.resourceVersion ?? this.rv;
  }
  list(resource, namespace) {
    const bucket = this.objects.get(resource);
    if (!bucket) return [];
    return [...bucket.values()].filter((o) => namespace === void 0 || o.metadata.namespace === namespace).map(clone);
  }
  /**
   * The stored objects themselves, without copies, for hot in-process readers (the simulated
   * controllers). Read-only: mutating them would bypass resourceVersion and watches.
   */
  listView(resource, namespace) {
    const bucket = this.objects.get(resource);
    if (!bucket) return [];
    const all = [...bucket.values()];
    return namespace === void 0 ? all : all.filter((o) => o.metadata.namespace === namespace);
  }
  /** One stored object without a copy; read-only, like listView. */
  getView(resource, namespace, name2) {
    return this.objects.get(resource)?.get(key(namespace, name2));
  }
  get(resource, namespace, name2) {
    const found = this.objects.get(resource)?.get(key(namespace, name2));
    return found ? clone(found) : void 0;
  }
  create(resource, object) {
    const bucket = this.bucket(resource);
    const k = key(object.metadata.namespace, object.metadata.name);
    if (bucket.has(k)) {
      throw new StoreError(
        409,
        "AlreadyExists",
        `${plural(resource)}${groupSuffix(resource)} "${object.metadata.name}" already exists`
      );
    }
    this.rv += 1;
    this.uidCounter += 1;
    const stored = {
      ...clone(object),
      metadata: {
        ...clone(object.metadata),
        uid: object.metadata.uid ?? `00000000-0000-4000-8000-${String(this.uidCounter).padStart(12, "0")}`,
        resourceVersion: String(this.rv),
        creationTimestamp: object.metadata.creationTimestamp ?? iso(this.now()),
        generation: object.metadata.generation ?? 1
      }
    };
    bucket.set(k, stored);
    this.emit({ type: "ADDED", resource, object: clone(stored), resourceVersion: this.rv });
    return clone(stored);
  }
  /**
   * Replaces an object. With `expectedResourceVersion`, a stale version is a 409 Conflict.
   * `bumpGeneration` is for spec changes (status writes keep the generation).
   */
  update(resource, object, options = {}) {
    const bucket = this.bucket(resource);
    const k = key(object.metadata.namespace, object.metadata.name);
    const current = bucket.get(k);
    if (!current) {
      throw new StoreError(
        404,
        "NotFound",
        `${plural(resource)}${groupSuffix(resource)} "${object.metadata.name}" not found`
      );
    }
    if (options.expectedResourceVersion !== void 0 && options.expectedResourceVersion !== current.metadata.resourceVersion) {
      throw new StoreError(
        409,
        "Conflict",
        `Operation cannot be fulfilled on ${plural(resource)}${groupSuffix(resource)} "${object.metadata.name}": the object has been modified; please apply your changes to the latest version and try again`
      );
    }
    this.rv += 1;
    const stored = {
      ...clone(object),
      metadata: {
        ...clone(object.metadata),
        uid: current.metadata.uid,
        creationTimestamp: current.metadata.creationTimestamp,
        resourceVersion: String(this.rv),
        generation: (current.metadata.generation ?? 1) + (options.bumpGeneration ? 1 : 0)
      }
    };
    bucket.set(k, stored);
    this.emit({ type: "MODIFIED", resource, object: clone(stored), resourceVersion: this.rv });
    return clone(stored);
  }
  /** Read-modify-write helper for in-process callers. */
  mutate(resource, namespace, name2, change, options = {}) {
    const current = this.get(resource, namespace, name2);
    if (!current)
      throw new StoreError(
        404,
        "NotFound",
        `${plural(resource)}${groupSuffix(resource)} "${name2}" not found`
      );
    change(current);
    return this.update(resource, current, options);
  }
  delete(resource, namespace, name2) {
    const bucket = this.bucket(resource);
    const k = key(namespace, name2);
    const current = bucket.get(k);
    if (!current)
      throw new StoreError(
        404,
        "NotFound",
        `${plural(resource)}${groupSuffix(resource)} "${name2}" not found`
      );
    bucket.delete(k);
    this.rv += 1;
    const gone = {
      ...clone(current),
      metadata: { ...clone(current.metadata), resourceVersion: String(this.rv) }
    };
    this.emit({ type: "DELETED", resource, object: gone, resourceVersion: this.rv });
    return gone;
  }
  /** Subscribes to every change from now on. */
  subscribe(listener) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  /**
   * Events after `afterVersion`, or 'expired' when history no longer reaches back that far
   * (the caller answers with a 410 ERROR event, as the real server does).
   */
  eventsSince(resource, afterVersion) {
    if (afterVersion < this.oldestWatchableVersion - 1) return "expired";
    return this.history.filter((e) => e.resource === resource && e.resourceVersion > afterVersion).map((e) => ({ ...e, object: clone(e.object) }));
  }
  snapshot() {
    const objects = [];
    for (const [resource, bucket] of this.objects)
      for (const object of bucket.values()) objects.push({ resource, object: clone(object) });
    return { resourceVersion: this.rv, uidCounter: this.uidCounter, objects };
  }
  restore(snapshot) {
    this.objects.clear();
    this.history.length = 0;
    this.rv = snapshot.resourceVersion;
    this.uidCounter = snapshot.uidCounter;
    for (const { resource, object } of snapshot.objects)
      this.bucket(resource).set(
        key(object.metadata.namespace, object.metadata.name),
        clone(object)
      );
  }
  bucket(resource) {
    let bucket = this.objects.get(resource);
    if (!bucket) {
      bucket = /* @__PURE__ */ new Map();
      this.objects.set(resource, bucket);
    }
    return bucket;
  }
  emit(event) {
    this.history.push(event);
    if (this.history.length > HISTORY_LIMIT) this.history.shift();
    for (const listener of [...this.listeners]) listener({ ...event, object: clone(event.object) });
  }
};
function key(namespace, name2) {
  return `${namespace ?? ""}/${name2}`;
}
function plural(resource) {
  return resource.includes("/") ? resource.slice(resource.indexOf("/") + 1) : resource;
}
function groupSuffix(resource) {
  return resource.includes("/") ? `.${resource.slice(0, resource.indexOf("/"))}` : "";
}
function clone(value) {
  return structuredClone(value);
}
function iso(ms) {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

// src/core/inventory.ts
var NODE_ROLES = ["controlplane", "worker"];
var INSTALLER_PLATFORMS = ["nocloud", "metal"];
function storageDomain(node) {
  return node.storage?.failureDomain ?? node.host;
}

// src/adapters/simulated/kube/http/label-selector.ts
function selectorMatches(selector, labels) {
  if (!selector) return false;
  const l = labels ?? {};
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (l[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(l, e.key);
    const values = e.values ?? [];
    if (e.operator === "In" && !(has && values.includes(l[e.key]))) return false;
    if (e.operator === "NotIn" && has && values.includes(l[e.key])) return false;
    if (e.operator === "Exists" && !has) return false;
    if (e.operator === "DoesNotExist" && has) return false;
  }
  return true;
}

// src/adapters/simulated/kube/http/status.ts
function statusFailure(code, reason, message, details) {
  const body = {
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Failure",
    message
  };
  if (reason) body.reason = reason;
  if (details && Object.keys(details).length > 0) body.details = details;
  body.code = code;
  return { code, body };
}
function statusSuccess(code) {
  return {
    code,
    body: { kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", code }
  };
}
function qualifiedResource(resource) {
  const slash = resource.indexOf("/");
  if (slash < 0) return { text: resource, kind: resource };
  const group = resource.slice(0, slash);
  const kind = resource.slice(slash + 1);
  return { text: `${kind}.${group}`, group, kind };
}
function notFound(resource, name2) {
  const q = qualifiedResource(resource);
  return statusFailure(404, "NotFound", `${q.text} "${name2}" not found`, {
    name: name2,
    ...q.group ? { group: q.group } : {},
    kind: q.kind
  });
}
function badRequest(message) {
  return statusFailure(400, "BadRequest", message);
}

// src/adapters/simulated/kube/pods.ts
var DEFAULT_GRACE_SECONDS = 30;
function deletePod(store, namespace, name2, gracePeriodSeconds, nowMs) {
  const pod = store.get("pods", namespace, name2);
  if (!pod) return notFound("pods", name2);
  const spec = pod.spec ?? {};
  const phase = podPhase(pod);
  let grace = gracePeriodSeconds ?? (typeof spec.terminationGracePeriodSeconds === "number" ? spec.terminationGracePeriodSeconds : DEFAULT_GRACE_SECONDS);
  if (grace < 0) grace = 0;
  const neverRan = !spec.nodeName || phase === "Pending";
  const finished = phase === "Succeeded" || phase === "Failed";
  if (grace === 0 || neverRan || finished) {
    return { code: 200, body: store.delete("pods", namespace, name2) };
  }
  const existing = pod.metadata.deletionGracePeriodSeconds;
  if (pod.metadata.deletionTimestamp && typeof existing === "number" && existing <= grace) {
    return { code: 200, body: pod };
  }
  const updated = store.mutate(
    "pods",
    namespace,
    name2,
    (p) => {
      p.metadata.deletionTimestamp = iso(nowMs + grace * 1e3);
      p.metadata.deletionGracePeriodSeconds = grace;
    },
    { bumpGeneration: true }
  );
  return { code: 200, body: updated };
}
function podPhase(pod) {
  const phase = pod.status?.phase;
  return typeof phase === "string" ? phase : "Pending";
}
function podReady(pod) {
  const conditions = pod.status?.conditions;
  if (!Array.isArray(conditions)) return false;
  return conditions.some(
    (c2) => c2.type === "Ready" && c2.status === "True"
  );
}

// src/adapters/simulated/world/nodes.ts
var NODES = "nodes";
var GPU_LABEL = "nvidia.com/gpu.present";
var GPU_RESOURCE = "nvidia.com/gpu";
function newNodeObject(world, node, talos, kubelet) {
  const now = iso(world.now);
  const labels = {
    "kubernetes.io/hostname": node.name,
    "kubernetes.io/os": "linux",
    "kubernetes.io/arch": "amd64",
    "topology.kubernetes.io/zone": node.host,
    ...node.role === "controlplane" ? { "node-role.kubernetes.io/control-plane": "" } : {},
    ...node.labels ?? {}
  };
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: {
      name: node.name,
      labels,
      annotations: {},
      uid: "",
      resourceVersion: "",
      creationTimestamp: now
    },
    spec: {
      ...node.role === "controlplane" ? { taints: [{ key: "node-role.kubernetes.io/control-plane", effect: "NoSchedule" }] } : {}
    },
    status: {
      conditions: [readyCondition("True", now)],
      nodeInfo: nodeInfo(talos, kubelet),
      addresses: [
        { type: "InternalIP", address: node.address },
        { type: "Hostname", address: node.name }
      ],
      capacity: resources(node.role),
      allocatable: resources(node.role)
    }
  };
}
function resources(role) {
  return role === "controlplane" ? { cpu: "4", memory: "8048204Ki", pods: "110", "ephemeral-storage": "47227284Ki" } : { cpu: "8", memory: "32816712Ki", pods: "110", "ephemeral-storage": "94454568Ki" };
}
function nodeInfo(talos, kubelet) {
  return {
    osImage: `Talos (v${talos})`,
    kubeletVersion: `v${kubelet}`,
    kernelVersion: "6.12.40-talos",
    containerRuntimeVersion: "containerd://2.0.5",
    operatingSystem: "linux",
    architecture: "amd64"
  };
}
function readyCondition(status, at) {
  const reason = status === "True" ? "KubeletReady" : status === "False" ? "KubeletNotReady" : "NodeStatusUnknown";
  const message = status === "True" ? "kubelet is posting ready status" : status === "False" ? "container runtime network not ready: NetworkReady=false" : "Kubelet stopped posting node status.";
  return { type: "Ready", status, reason, message, lastHeartbeatTime: at, lastTransitionTime: at };
}
function readyStatus(node) {
  const conditions = node?.status?.conditions;
  if (!Array.isArray(conditions)) return "Unknown";
  const ready = conditions.find((c2) => c2.type === "Ready");
  return ready?.status === "True" || ready?.status === "False" ? ready.status : "Unknown";
}
function isCordoned(node) {
  return node?.spec?.unschedulable === true;
}
function talosVersionOf(node) {
  const osImage = node?.status?.nodeInfo?.osImage ?? "";
  return /\(v(\d+\.\d+\.\d+[^)]*)\)/.exec(osImage)?.[1];
}
function setReady(world, name2, status) {
  const node = world.store.get(NODES, void 0, name2);
  if (!node) return;
  if (readyStatus(node) === status) return;
  world.store.mutate(NODES, void 0, name2, (n) => {
    const st = n.status ??= {};
    const others = (Array.isArray(st.conditions) ? st.conditions : []).filter(
      (c2) => c2.type !== "Ready"
    );
    st.conditions = [...others, readyCondition(status, iso(world.now))];
    const spec = n.spec ??= {};
    const taints = (Array.isArray(spec.taints) ? spec.taints : []).filter(
      (t) => t.key !== "node.kubernetes.io/not-ready" && t.key !== "node.kubernetes.io/unreachable"
    );
    if (status !== "True")
      taints.push({
        key: status === "False" ? "node.kubernetes.io/not-ready" : "node.kubernetes.io/unreachable",
        effect: "NoExecute",
        timeAdded: iso(world.now)
      });
    if (taints.length > 0) spec.taints = taints;
    else delete spec.taints;
  });
}
function registerKubelet(world, node, talos, kubelet, ready) {
  const existing = world.store.get(NODES, void 0, node.name);
  if (!existing) {
    const created = newNodeObject(world, node, talos, kubelet);
    world.store.create(NODES, created);
    if (!ready) setReady(world, node.name, "False");
    return;
  }
  world.store.mutate(NODES, void 0, node.name, (n) => {
    const st = n.status ??= {};
    st.nodeInfo = { ...st.nodeInfo, ...nodeInfo(talos, kubelet) };
    const labels = { ...n.metadata.labels ?? {} };
    delete labels[GPU_LABEL];
    n.metadata.labels = labels;
    const alloc = { ...st.allocatable };
    const cap = { ...st.capacity };
    delete alloc[GPU_RESOURCE];
    delete cap[GPU_RESOURCE];
    st.allocatable = alloc;
    st.capacity = cap;
  });
  setReady(world, node.name, ready ? "True" : "False");
}
function setGpu(world, name2, count) {
  world.store.mutate(NODES, void 0, name2, (n) => {
    n.metadata.labels = { ...n.metadata.labels ?? {}, [GPU_LABEL]: "true" };
    const st = n.status ??= {};
    const value = String(count ?? 0);
    st.allocatable = { ...st.allocatable, [GPU_RESOURCE]: value };
    st.capacity = { ...st.capacity, [GPU_RESOURCE]: value };
  });
}

// src/adapters/simulated/world/objects.ts
var R = {
  pods: "pods",
  nodes: "nodes",
  namespaces: "namespaces",
  deployments: "apps/deployments",
  replicasets: "apps/replicasets",
  statefulsets: "apps/statefulsets",
  daemonsets: "apps/daemonsets",
  pdbs: "policy/poddisruptionbudgets",
  leases: "coordination.k8s.io/leases",
  cephclusters: "ceph.rook.io/cephclusters",
  helmreleases: "helm.toolkit.fluxcd.io/helmreleases"
};
var PLACEMENT_ANNOTATION = "simulated.drover.dev/placement";
var SPREAD_ANNOTATION = "simulated.drover.dev/spread";
var MIRROR_ANNOTATION = "kubernetes.io/config.mirror";
function podTemplate(w) {
  return {
    metadata: { labels: { app: w.name } },
    spec: {
      terminationGracePeriodSeconds: w.grace,
      containers: [{ name: w.name, image: `registry.example/${w.name}:1` }],
      ...w.emptyDir ? { volumes: [{ name: "cache", emptyDir: {} }] } : {},
      ...w.spread ? {
        affinity: {
          podAntiAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: [
              {
                labelSelector: { matchLabels: { app: w.name } },
                topologyKey: "kubernetes.io/hostname"
              }
            ]
          }
        }
      } : {}
    }
  };
}
function annotations(w) {
  return { [PLACEMENT_ANNOTATION]: w.placement, [SPREAD_ANNOTATION]: String(w.spread) };
}
function workloadObject(kind, w) {
  return {
    apiVersion: "apps/v1",
    kind,
    metadata: {
      name: w.name,
      namespace: w.namespace,
      labels: { app: w.name },
      annotations: annotations(w)
    },
    spec: {
      ...kind === "DaemonSet" ? {} : { replicas: w.replicas ?? 1 },
      ...kind === "StatefulSet" ? { serviceName: w.name } : {},
      selector: { matchLabels: { app: w.name } },
      template: podTemplate(w)
    },
    status: {}
  };
}
function replicaSetObject(deployment, hash) {
  return {
    apiVersion: "apps/v1",
    kind: "ReplicaSet",
    metadata: {
      name: `${deployment.metadata.name}-${hash}`,
      namespace: deployment.metadata.namespace,
      labels: { app: deployment.metadata.name, "pod-template-hash": hash },
      annotations: { ...deployment.metadata.annotations ?? {} },
      ownerReferences: [ownerRef(deployment)]
    },
    spec: {
      replicas: deployment.spec?.replicas ?? 1,
      selector: { matchLabels: { app: deployment.metadata.name, "pod-template-hash": hash } },
      template: deployment.spec?.template
    },
    status: {}
  };
}
function ownerRef(owner) {
  return {
    apiVersion: owner.apiVersion,
    kind: owner.kind,
    name: owner.metadata.name,
    uid: owner.metadata.uid,
    controller: true
  };
}
function podObject(owner, name2, extraLabels, nodeName) {
  const template = owner.spec?.template ?? {};
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name: name2,
      namespace: owner.metadata.namespace,
      labels: { ...template.metadata?.labels ?? {}, ...extraLabels },
      annotations: { ...owner.metadata.annotations ?? {} },
      ownerReferences: [ownerRef(owner)]
    },
    spec: {
      ...template.spec ?? {},
      ...nodeName ? { nodeName } : {},
      restartPolicy: "Always",
      schedulerName: "default-scheduler"
    },
    status: { phase: "Pending", conditions: [] }
  };
}
function mirrorPodObject(component, node) {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name: `${component}-${node.metadata.name}`,
      namespace: "kube-system",
      labels: { component, tier: "control-plane" },
      annotations: {
        [MIRROR_ANNOTATION]: `${component}-${node.metadata.name}`,
        [PLACEMENT_ANNOTATION]: "controlplane"
      },
      ownerReferences: [
        {
          apiVersion: "v1",
          kind: "Node",
          name: node.metadata.name,
          uid: node.metadata.uid,
          controller: true
        }
      ]
    },
    spec: {
      nodeName: node.metadata.name,
      containers: [{ name: component, image: `registry.k8s.io/${component}:v1` }],
      priorityClassName: "system-node-critical",
      hostNetwork: true
    },
    status: { phase: "Pending", conditions: [] }
  };
}
function pdbObject(namespace, name2, budget) {
  return {
    apiVersion: "policy/v1",
    kind: "PodDisruptionBudget",
    metadata: { name: name2, namespace },
    spec: { ...budget, selector: { matchLabels: { app: name2 } } },
    status: {
      observedGeneration: 0,
      disruptionsAllowed: 0,
      currentHealthy: 0,
      desiredHealthy: 0,
      expectedPods: 0
    }
  };
}
function namespaceObject(name2) {
  return {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: { name: name2 },
    spec: { finalizers: ["kubernetes"] },
    status: { phase: "Active" }
  };
}
function cephClusterObject() {
  return {
    apiVersion: "ceph.rook.io/v1",
    kind: "CephCluster",
    metadata: { name: "rook-ceph", namespace: "rook-ceph" },
    spec: {
      cephVersion: { image: "quay.io/ceph/ceph:v19.2.3" },
      mon: { count: 3 },
      storage: { useAllNodes: true }
    },
    status: { phase: "Ready", state: "Created", ceph: { health: "HEALTH_OK", details: {} } }
  };
}
function helmReleaseObject(namespace, name2, ready) {
  return {
    apiVersion: "helm.toolkit.fluxcd.io/v2",
    kind: "HelmRelease",
    metadata: { name: name2, namespace },
    spec: {
      interval: "30m",
      chart: { spec: { chart: name2, sourceRef: { kind: "HelmRepository", name: name2 } } }
    },
    status: {
      observedGeneration: 1,
      conditions: [
        {
          type: "Ready",
          status: ready ? "True" : "False",
          reason: ready ? "InstallSucceeded" : "InstallFailed",
          message: ready ? `Helm install succeeded for release ${namespace}/${name2}` : "install retries exhausted"
        }
      ]
    }
  };
}

// src/adapters/simulated/world/ceph.ts
var DOWN_OUT_INTERVAL_MS = 6e5;
var OUT_RECOVERY_FACTOR = 4;
function cephDomainsDown(world) {
  const down = /* @__PURE__ */ new Set();
  for (const node of world.context.inventory.nodes) {
    if (node.storage?.osd !== true) continue;
    const obj = world.store.getView(R.nodes, void 0, node.name);
    if (!world.vmRunning(node.name) || readyStatus(obj) !== "True") down.add(storageDomain(node));
  }
  return [...down].sort();
}
function reconcileCeph(world) {
  if (!world.context.scenario.storage.ceph) return;
  const cluster = world.store.getView(R.cephclusters, "rook-ceph", "rook-ceph");
  if (!cluster) return;
  const ceph = world.state.ceph;
  const down = cephDomainsDown(world);
  for (const d of down) {
    if (ceph.downSince[d] === void 0) ceph.downSince[d] = world.now;
    const noout = world.state.noout.includes(d);
    if (!noout && !ceph.outMarked.includes(d) && world.now - (ceph.downSince[d] ?? world.now) >= DOWN_OUT_INTERVAL_MS)
      ceph.outMarked.push(d);
  }
  for (const d of Object.keys(ceph.downSince)) {
    if (down.includes(d)) continue;
    const factor = ceph.outMarked.includes(d) ? OUT_RECOVERY_FACTOR : 1;
    const until2 = world.now + world.ms("post-checks") * factor;
    ceph.recoveringUntil = Math.max(ceph.recoveringUntil, until2);
    delete ceph.downSince[d];
    ceph.outMarked = ceph.outMarked.filter((x) => x !== d);
    world.schedule(until2 - world.now, { type: "ceph-recheck" });
  }
  if (down.length > 0 && Object.keys(ceph.downSince).some((d) => !world.state.noout.includes(d))) {
    for (const d of down)
      if (!world.state.noout.includes(d) && !ceph.outMarked.includes(d)) {
        const at = (ceph.downSince[d] ?? world.now) + DOWN_OUT_INTERVAL_MS;
        if (!world.state.pending.some((e) => e.type === "ceph-recheck" && e.at === at))
          world.schedule(at - world.now, { type: "ceph-recheck" });
      }
  }
  const details = {};
  let health = "HEALTH_OK";
  if (down.length > 0) {
    health = "HEALTH_WARN";
    details.OSD_DOWN = {
      severity: "HEALTH_WARN",
      message: `OSDs in ${down.length} failure domain(s) are down: ${down.join(", ")}`
    };
  }
  if (down.length > world.context.scenario.storage.toleratedDomainsDown) {
    health = "HEALTH_ERR";
    details.PG_AVAILABILITY = {
      severity: "HEALTH_ERR",
      message: "Reduced data availability: placement groups inactive"
    };
  }
  if (world.state.noout.length > 0) {
    if (health === "HEALTH_OK") health = "HEALTH_WARN";
    details.OSDMAP_FLAGS = {
      severity: "HEALTH_WARN",
      message: `noout flag(s) set on ${world.state.noout.join(", ")}`
    };
  }
  if (down.length === 0 && ceph.recoveringUntil > world.now) {
    if (health === "HEALTH_OK") health = "HEALTH_WARN";
    details.PG_DEGRADED = {
      severity: "HEALTH_WARN",
      message: "Degraded data redundancy: objects degraded, recovering"
    };
  }
  const current = cluster.status?.ceph ?? {};
  if (current.health === health && JSON.stringify(current.details) === JSON.stringify(details))
    return;
  world.store.update(R.cephclusters, {
    ...cluster,
    status: {
      ...cluster.status,
      ceph: {
        health,
        details,
        lastChecked: iso(world.now),
        previousHealth: current.health ?? "HEALTH_OK"
      }
    }
  });
}
function registerCephHandlers(world) {
  world.on("ceph-recheck", () => void 0);
}

// src/adapters/simulated/world/workloads.ts
var CONTROL_PLANE_COMPONENTS = [
  "kube-apiserver",
  "kube-controller-manager",
  "kube-scheduler"
];
var DISRUPTED_TIMEOUT_MS = 12e4;
var POD_START_SECONDS = 8;
function controller(pod) {
  const ref = pod.metadata.ownerReferences?.find((r) => r.controller);
  return ref ? { kind: ref.kind, name: ref.name } : void 0;
}
function isDaemonOrMirror(pod) {
  return controller(pod)?.kind === "DaemonSet" || pod.metadata.annotations?.[MIRROR_ANNOTATION] !== void 0;
}
var ownerIndexes = /* @__PURE__ */ new WeakMap();
function owned(pods, owner) {
  let index = ownerIndexes.get(pods);
  if (!index) {
    index = /* @__PURE__ */ new Map();
    for (const p of pods)
      for (const r of p.metadata.ownerReferences ?? []) {
        const list = index.get(r.uid);
        if (list) list.push(p);
        else index.set(r.uid, [p]);
      }
    ownerIndexes.set(pods, index);
  }
  return index.get(owner.metadata.uid) ?? [];
}
function kubeletUp(world, node) {
  return !!node && world.vmRunning(node.metadata.name) && readyStatus(node) === "True";
}
function eligible(world, node, placement2, daemon) {
  const spec = world.node(node.metadata.name);
  if (!spec) return false;
  switch (placement2) {
    case "workers":
      if (spec.role !== "worker") return false;
      break;
    case "controlplane":
      if (spec.role !== "controlplane") return false;
      break;
    case "osd":
      if (spec.storage?.osd !== true) return false;
      break;
    case "gpu":
      if (!spec.gpu) return false;
      break;
    case "all":
      break;
  }
  if (daemon) return true;
  return kubeletUp(world, node) && !isCordoned(node);
}
function placementOf(obj) {
  return obj.metadata.annotations?.[PLACEMENT_ANNOTATION] ?? "workers";
}
function reconcileWorkloads(world) {
  const store = world.store;
  const nodes = store.listView(R.nodes);
  let pods = store.listView(R.pods);
  for (const rs of store.listView(R.replicasets)) {
    const want = Number(rs.spec?.replicas ?? 0);
    const live = owned(pods, rs).filter((p) => !p.metadata.deletionTimestamp);
    for (let i = live.length; i < want; i++) {
      const hash = (rs.metadata.labels ?? {})["pod-template-hash"] ?? "";
      store.create(
        R.pods,
        podObject(rs, `${rs.metadata.name}-${world.rng.suffix(5)}`, { "pod-template-hash": hash })
      );
    }
  }
  for (const sts of store.listView(R.statefulsets)) {
    const want = Number(sts.spec?.replicas ?? 0);
    for (let i = 0; i < want; i++) {
      const name2 = `${sts.metadata.name}-${i}`;
      if (!pods.some(
        (p) => p.metadata.namespace === sts.metadata.namespace && p.metadata.name === name2
      ))
        store.create(R.pods, podObject(sts, name2, { "statefulset.kubernetes.io/pod-name": name2 }));
    }
  }
  pods = store.listView(R.pods);
  for (const ds of store.listView(R.daemonsets)) {
    const mine = owned(pods, ds);
    for (const node of nodes) {
      if (!eligible(world, node, placementOf(ds), true)) continue;
      if (mine.some((p) => p.spec?.nodeName === node.metadata.name)) continue;
      store.create(
        R.pods,
        podObject(ds, `${ds.metadata.name}-${world.rng.suffix(5)}`, {}, node.metadata.name)
      );
    }
  }
  for (const node of nodes) {
    if (world.node(node.metadata.name)?.role !== "controlplane" || !kubeletUp(world, node))
      continue;
    for (const component of CONTROL_PLANE_COMPONENTS) {
      if (!store.getView(R.pods, "kube-system", `${component}-${node.metadata.name}`))
        store.create(R.pods, mirrorPodObject(component, node));
    }
  }
  pods = store.listView(R.pods);
  schedule(world, nodes, pods);
  pods = store.listView(R.pods);
  kubelets(world, nodes, pods);
}
function schedule(world, nodes, pods) {
  const perNode = /* @__PURE__ */ new Map();
  for (const p of pods)
    if (p.spec?.nodeName)
      perNode.set(String(p.spec.nodeName), (perNode.get(String(p.spec.nodeName)) ?? 0) + 1);
  const bound = /* @__PURE__ */ new Map();
  const nodeOf = (p) => p.spec?.nodeName ?? bound.get(p.metadata.uid);
  for (const pod of pods) {
    if (pod.spec?.nodeName || pod.metadata.deletionTimestamp) continue;
    const spread = pod.metadata.annotations?.[SPREAD_ANNOTATION] === "true";
    const app = pod.metadata.labels?.app;
    const candidates = nodes.filter((n) => eligible(world, n, placementOf(pod), false)).filter(
      (n) => !spread || !pods.some(
        (o) => o.spec?.nodeName === n.metadata.name && o.metadata.namespace === pod.metadata.namespace && o.metadata.labels?.app === app
      )
    ).sort(
      (a, b) => (perNode.get(a.metadata.name) ?? 0) - (perNode.get(b.metadata.name) ?? 0) || a.metadata.name.localeCompare(b.metadata.name, "en", { numeric: true })
    );
    const target = candidates[0];
    if (!target) continue;
    const nodeName = target.metadata.name;
    perNode.set(nodeName, (perNode.get(nodeName) ?? 0) + 1);
    bound.set(pod.metadata.uid, nodeName);
    world.store.mutate(R.pods, pod.metadata.namespace, pod.metadata.name, (p) => {
      p.spec = { ...p.spec, nodeName };
      p.status = {
        ...p.status,
        phase: "Pending",
        conditions: [{ type: "PodScheduled", status: "True", lastTransitionTime: iso(world.now) }]
      };
    });
  }
}
function kubelets(world, nodes, pods) {
  const byName = new Map(nodes.map((n) => [n.metadata.name, n]));
  for (const pod of pods) {
    const nodeName = pod.spec?.nodeName ? String(pod.spec.nodeName) : void 0;
    if (!nodeName) continue;
    const node = byName.get(nodeName);
    if (!pod.metadata.deletionTimestamp && podReady(pod) && node && readyStatus(node) === "True") continue;
    const uid = pod.metadata.uid;
    const ns = pod.metadata.namespace ?? "";
    const up = kubeletUp(world, node);
    if (!up) {
      if (node && readyStatus(node) !== "True" && podReady(pod)) setPodReady(world, pod, false);
      if (!node && !isDaemonOrMirror(pod)) world.store.delete(R.pods, ns, pod.metadata.name);
      continue;
    }
    if (world.state.podTimers[uid]) continue;
    const vm = world.vm(nodeName);
    const created = Date.parse(pod.metadata.creationTimestamp);
    if (pod.metadata.deletionTimestamp) {
      const deadline = Date.parse(pod.metadata.deletionTimestamp);
      const grace = Number(pod.metadata.deletionGracePeriodSeconds ?? 30) * 1e3;
      const stop = Math.min(deadline - world.now, world.rng.jitter(grace * 0.6, 0.3));
      world.state.podTimers[uid] = true;
      world.schedule(stop, { type: "pod-terminated", namespace: ns, name: pod.metadata.name, uid });
      continue;
    }
    if (vm && created < vm.createdAt && !isDaemonOrMirror(pod) && podPhase(pod) === "Running" && !podReady(pod)) {
      world.store.delete(R.pods, ns, pod.metadata.name);
      continue;
    }
    if (!podReady(pod)) {
      world.state.podTimers[uid] = true;
      world.schedule(world.rng.jitter(POD_START_SECONDS * 1e3, 0.5), {
        type: "pod-running",
        namespace: ns,
        name: pod.metadata.name,
        uid
      });
    }
  }
}
function setPodReady(world, pod, ready) {
  world.store.mutate(R.pods, pod.metadata.namespace, pod.metadata.name, (p) => {
    const at = iso(world.now);
    const status = "True";
    const flag = ready ? "True" : "False";
    p.status = {
      ...p.status,
      phase: ready ? "Running" : p.status?.phase ?? "Pending",
      conditions: [
        { type: "PodScheduled", status, lastTransitionTime: at },
        { type: "Initialized", status, lastTransitionTime: at },
        { type: "ContainersReady", status: flag, lastTransitionTime: at },
        { type: "Ready", status: flag, lastTransitionTime: at }
      ],
      ...ready ? {
        startTime: at,
        podIP: `10.244.${Math.floor(world.rng.next() * 16)}.${Math.floor(world.rng.next() * 250) + 2}`
      } : {}
    };
  });
}
function registerPodHandlers(world) {
  world.on("pod-running", (w, e) => {
    if (e.type !== "pod-running") return;
    delete w.state.podTimers[e.uid];
    const pod = w.store.getView(R.pods, e.namespace, e.name);
    if (!pod || pod.metadata.uid !== e.uid || pod.metadata.deletionTimestamp) return;
    const node = pod.spec?.nodeName ? w.store.getView(R.nodes, void 0, String(pod.spec.nodeName)) : void 0;
    if (kubeletUp(w, node)) setPodReady(w, pod, true);
  });
  world.on("pod-terminated", (w, e) => {
    if (e.type !== "pod-terminated") return;
    delete w.state.podTimers[e.uid];
    const pod = w.store.getView(R.pods, e.namespace, e.name);
    if (!pod || pod.metadata.uid !== e.uid) return;
    const node = pod.spec?.nodeName ? w.store.getView(R.nodes, void 0, String(pod.spec.nodeName)) : void 0;
    if (kubeletUp(w, node)) w.store.delete(R.pods, e.namespace, e.name);
  });
  world.on("taint-evict", (w, e) => {
    if (e.type !== "taint-evict") return;
    const node = w.store.getView(R.nodes, void 0, e.node);
    if (!node || readyStatus(node) === "True") return;
    for (const pod of w.store.listView(R.pods)) {
      if (pod.spec?.nodeName !== e.node || isDaemonOrMirror(pod) || pod.metadata.deletionTimestamp)
        continue;
      deletePod(w.store, pod.metadata.namespace ?? "", pod.metadata.name, void 0, w.now);
    }
  });
}
function reconcileWorkloadStatus(world) {
  const store = world.store;
  const pods = store.listView(R.pods);
  const readyOf = (owner, viaReplicaSet = false) => {
    const owners = viaReplicaSet ? store.listView(R.replicasets, owner.metadata.namespace).filter((rs) => rs.metadata.ownerReferences?.some((r) => r.uid === owner.metadata.uid)) : [owner];
    const mine = owners.flatMap((o) => owned(pods, o));
    return {
      all: mine.length,
      ready: mine.filter((p) => podReady(p) && !p.metadata.deletionTimestamp).length
    };
  };
  const write = (resource, obj, status) => {
    if (JSON.stringify(obj.status ?? {}) === JSON.stringify(status)) return;
    store.update(resource, { ...obj, status });
  };
  for (const d of store.listView(R.deployments)) {
    const { all, ready } = readyOf(d, true);
    const replicas = Number(d.spec?.replicas ?? 0);
    write(R.deployments, d, {
      observedGeneration: d.metadata.generation ?? 1,
      replicas: all,
      updatedReplicas: all,
      readyReplicas: ready,
      availableReplicas: ready,
      ...ready < replicas ? { unavailableReplicas: replicas - ready } : {},
      conditions: [
        {
          type: "Available",
          status: ready >= replicas ? "True" : "False",
          reason: ready >= replicas ? "MinimumReplicasAvailable" : "MinimumReplicasUnavailable"
        }
      ]
    });
  }
  for (const s of store.listView(R.statefulsets)) {
    const { all, ready } = readyOf(s);
    write(R.statefulsets, s, {
      observedGeneration: s.metadata.generation ?? 1,
      replicas: all,
      readyReplicas: ready,
      availableReplicas: ready,
      currentReplicas: all,
      updatedReplicas: all
    });
  }
  for (const ds of store.listView(R.daemonsets)) {
    const mine = owned(pods, ds);
    const ready = mine.filter((p) => podReady(p) && !p.metadata.deletionTimestamp).length;
    write(R.daemonsets, ds, {
      observedGeneration: ds.metadata.generation ?? 1,
      desiredNumberScheduled: mine.length,
      currentNumberScheduled: mine.length,
      updatedNumberScheduled: mine.length,
      numberReady: ready,
      numberAvailable: ready,
      numberMisscheduled: 0,
      ...mine.length - ready > 0 ? { numberUnavailable: mine.length - ready } : {}
    });
  }
}
function scaled(value, total, roundUp) {
  if (typeof value === "number") return value;
  const pct = Number.parseInt(value, 10) / 100;
  return roundUp ? Math.ceil(pct * total) : Math.floor(pct * total);
}
function reconcilePdbs(world) {
  const store = world.store;
  const pods = store.listView(R.pods);
  for (const pdb of store.listView(R.pdbs)) {
    const ns = pdb.metadata.namespace ?? "";
    const spec = pdb.spec ?? {};
    const matching = pods.filter(
      (p) => p.metadata.namespace === ns && selectorMatches(spec.selector, p.metadata.labels)
    );
    const status = pdb.status ?? {};
    const disrupted = {};
    for (const [pod, at] of Object.entries(status.disruptedPods ?? {})) {
      const p = matching.find((m) => m.metadata.name === pod);
      if (p && !p.metadata.deletionTimestamp && world.now - Date.parse(at) < DISRUPTED_TIMEOUT_MS)
        disrupted[pod] = at;
    }
    const expected = expectedPods(world, ns, matching);
    const healthy = matching.filter(
      (p) => podReady(p) && !p.metadata.deletionTimestamp && !(p.metadata.name in disrupted)
    ).length;
    const desired = spec.minAvailable !== void 0 ? scaled(spec.minAvailable, expected, true) : Math.max(
      0,
      expected - scaled(spec.maxUnavailable ?? 0, expected, true)
    );
    const blocked = world.hasFault(
      "pdb-blocks",
      (f) => f.type === "pdb-blocks" && f.namespace === ns && f.name === pdb.metadata.name
    );
    const allowed = blocked ? 0 : Math.max(0, healthy - desired);
    const next = {
      observedGeneration: pdb.metadata.generation ?? 1,
      disruptionsAllowed: allowed,
      currentHealthy: healthy,
      desiredHealthy: desired,
      expectedPods: expected,
      ...Object.keys(disrupted).length > 0 ? { disruptedPods: disrupted } : {},
      conditions: [
        {
          type: "DisruptionAllowed",
          status: allowed > 0 ? "True" : "False",
          reason: allowed > 0 ? "SufficientPods" : "InsufficientPods",
          observedGeneration: pdb.metadata.generation ?? 1
        }
      ]
    };
    const prev = { ...pdb.status ?? {} };
    if (JSON.stringify(stripTimes(prev)) === JSON.stringify(stripTimes(next))) continue;
    const cond = next.conditions[0];
    const prevCond = Array.isArray(prev.conditions) ? prev.conditions[0] : void 0;
    cond.lastTransitionTime = prevCond && prevCond.status === cond.status ? prevCond.lastTransitionTime : iso(world.now);
    store.update(R.pdbs, { ...pdb, status: next });
  }
}
function stripTimes(status) {
  const conditions = Array.isArray(status.conditions) ? status.conditions.map((c2) => {
    const { lastTransitionTime: _t, ...rest } = c2;
    return rest;
  }) : status.conditions;
  return { ...status, conditions };
}
function expectedPods(world, namespace, pods) {
  const seen = /* @__PURE__ */ new Set();
  let total = 0;
  for (const p of pods) {
    const ref = controller(p);
    if (!ref || seen.has(`${ref.kind}/${ref.name}`)) continue;
    seen.add(`${ref.kind}/${ref.name}`);
    const resource = ref.kind === "ReplicaSet" ? R.replicasets : ref.kind === "StatefulSet" ? R.statefulsets : void 0;
    const owner = resource ? world.store.getView(resource, namespace, ref.name) : void 0;
    total += Number(owner?.spec?.replicas ?? 0);
  }
  return total;
}

// src/adapters/simulated/world/invariants.ts
function outOfService(world, name2) {
  const obj = world.store.getView(R.nodes, void 0, name2);
  return !obj || isCordoned(obj) || readyStatus(obj) !== "True" || !world.vmRunning(name2);
}
function describe(nodes) {
  return nodes.map((n) => n.name).join(", ");
}
function checkTakenOut(world, node, cause, cephOnly = false) {
  const { inventory, policy } = world.context;
  if (!cephOnly && node.role === "worker") {
    const out = inventory.nodes.filter((n) => n.role === "worker" && outOfService(world, n.name));
    const limit = policy.disruption.maxUnavailableWorkers;
    if (out.length > limit)
      world.violation(
        4,
        `${cause}: ${out.length} workers out of service (${describe(out)}), policy allows ${limit}`
      );
    const hosts = new Set(out.map((n) => n.host));
    const domains = new Set(out.map((n) => storageDomain(n)));
    const maxDomains = policy.disruption.maxUnavailableDomains;
    if (hosts.size > maxDomains || domains.size > maxDomains)
      world.violation(
        4,
        `${cause}: workers out of service span ${Math.max(hosts.size, domains.size)} failure domains (${[...hosts].join(", ")}), policy allows ${maxDomains}`
      );
  }
  if (!cephOnly && node.role === "controlplane") checkControlPlane(world, node, cause);
  if (world.context.scenario.storage.ceph) {
    const down = cephDomainsDown(world);
    const tolerated = world.context.scenario.storage.toleratedDomainsDown;
    if (down.length > tolerated)
      world.violation(
        4,
        `${cause}: Ceph has ${down.length} failure domains down (${down.join(", ")}), tolerates ${tolerated}`
      );
  }
}
function checkControlPlane(world, node, cause) {
  const others = world.context.inventory.nodes.filter(
    (n) => n.role === "controlplane" && n.name !== node.name
  );
  const alsoOut = others.filter((n) => outOfService(world, n.name));
  if (alsoOut.length > 0)
    world.violation(
      1,
      `${cause}: control plane ${node.name} out of service while ${describe(alsoOut)} is too`
    );
  const unhealthy = world.state.etcd.filter((m) => m.node !== node.name && !m.healthy);
  if (unhealthy.length > 0)
    world.violation(
      1,
      `${cause}: control plane ${node.name} taken out while etcd member(s) of ${unhealthy.map((m) => m.node).join(", ")} are unhealthy`
    );
  checkQuorum(world, cause);
}
function checkQuorum(world, cause) {
  const members = world.state.etcd;
  const healthy = members.filter((m) => m.healthy && world.vmRunning(m.node)).length;
  if (members.length > 0 && healthy <= members.length / 2)
    world.violation(
      1,
      `${cause}: etcd lost quorum (${healthy} of ${members.length} members healthy)`
    );
}
function checkMemberRemoval(world, memberNode, cause) {
  const unhealthy = world.state.etcd.filter((m) => m.node !== memberNode && !m.healthy);
  if (unhealthy.length > 0)
    world.violation(
      1,
      `${cause}: etcd member of ${memberNode} removed while ${unhealthy.map((m) => m.node).join(", ")} is unhealthy`
    );
}
function checkBackupBeforeDestroy(world, node) {
  const serial = world.state.terraform.serial;
  const verified = world.state.verifiedBackupSerial;
  if (verified !== serial)
    world.violation(
      2,
      `VM of ${node} destroyed without a verified state backup of serial ${serial} (last verified: ${verified ?? "none"})`
    );
}
function invariantStoreHook(world) {
  const deletionsSeen = /* @__PURE__ */ new Set();
  const leases = /* @__PURE__ */ new Map();
  const unschedulable = /* @__PURE__ */ new Map();
  for (const n of world.store.listView(R.nodes)) unschedulable.set(n.metadata.name, isCordoned(n));
  for (const l of world.store.listView(R.leases))
    leases.set(`${l.metadata.namespace}/${l.metadata.name}`, leaseOf(l));
  return (world2, event, actor) => {
    const obj = event.object;
    if (event.resource === R.nodes) {
      const was = unschedulable.get(obj.metadata.name) ?? false;
      const now = isCordoned(obj) && event.type !== "DELETED";
      unschedulable.set(obj.metadata.name, now);
      if (actor !== "drover" || was === now) return;
      const node = world2.node(obj.metadata.name);
      if (!node) return;
      if (now) {
        world2.state.cordonedAt[node.name] = world2.now;
        const wasInService = readyStatus(obj) === "True" && world2.vmRunning(node.name);
        if (wasInService) checkTakenOut(world2, node, `cordon of ${node.name}`);
      } else checkUncordon(world2, node, obj);
      return;
    }
    if (event.resource === R.pods && actor === "drover") {
      const deleting = event.type === "DELETED" || !!obj.metadata.deletionTimestamp;
      if (!deleting || deletionsSeen.has(obj.metadata.uid)) return;
      deletionsSeen.add(obj.metadata.uid);
      checkPodRemoval(world2, obj);
      return;
    }
    if (event.resource === R.leases) {
      const key2 = `${obj.metadata.namespace}/${obj.metadata.name}`;
      const previous = leases.get(key2);
      const next = leaseOf(obj);
      if (event.type === "DELETED") leases.delete(key2);
      else leases.set(key2, next);
      if (actor === "drover" && event.type === "MODIFIED" && previous && previous.holder !== "" && next.holder !== "" && previous.holder !== next.holder && previous.renew + previous.duration * 1e3 > world2.now)
        world2.violation(
          7,
          `lease ${key2} taken by ${next.holder} while ${previous.holder} still held it`
        );
    }
  };
}
function leaseOf(obj) {
  const spec = obj.spec ?? {};
  return {
    holder: spec.holderIdentity ?? "",
    renew: spec.renewTime ? Date.parse(spec.renewTime) : 0,
    duration: spec.leaseDurationSeconds ?? 0
  };
}
function checkUncordon(world, node, obj) {
  const { kind, talos, kubernetes } = world.context;
  const kubelet = (obj.status?.nodeInfo?.kubeletVersion ?? "").replace(/^v/, "");
  const version2 = talosVersionOf(obj);
  if (kind !== "kubernetes" && version2 !== talos.to)
    world.violation(
      5,
      `${node.name} uncordoned at Talos ${version2 ?? "unknown"}, below the target ${talos.to}`
    );
  if (kind === "kubernetes" && kubelet !== kubernetes.to)
    world.violation(
      5,
      `${node.name} uncordoned at kubelet ${kubelet}, below the target ${kubernetes.to}`
    );
  if (readyStatus(obj) !== "True") world.violation(5, `${node.name} uncordoned while not Ready`);
}
function checkPodRemoval(world, pod) {
  const ref = `${pod.metadata.namespace}/${pod.metadata.name}`;
  if (isDaemonOrMirror(pod)) {
    world.violation(6, `${ref} (a DaemonSet or mirror pod) was evicted or deleted`);
    return;
  }
  if (!podReady(pod)) return;
  const pdb = world.store.listView(R.pdbs, pod.metadata.namespace).find(
    (p) => selectorMatches(p.spec?.selector, pod.metadata.labels)
  );
  if (!pdb) return;
  const status = pdb.status ?? {};
  if (status.disruptedPods?.[pod.metadata.name] !== void 0) return;
  if ((status.disruptionsAllowed ?? 0) > 0) return;
  const { drain: drain2 } = world.context.policy;
  const node = String(pod.spec?.nodeName ?? "");
  const since = world.state.cordonedAt[node];
  const inWindow = since === void 0 || world.now - since < drain2.gracefulSeconds * 1e3;
  if (!drain2.forceAfterGrace || inWindow)
    world.violation(
      6,
      `${ref} deleted against PDB ${pdb.metadata.name} ${drain2.forceAfterGrace ? "inside the graceful window" : "(policy forbids force)"}`
    );
}

// src/adapters/simulated/world/machine-config.ts
import { parseAllDocuments } from "yaml";
var GPU_SCHEMATIC_FLAVOR = "gpu";
function generateSecrets(rng) {
  const b64 = (n) => Buffer.from(rng.hex(n), "hex").toString("base64");
  return {
    clusterSecret: b64(64),
    bootstrapToken: `${rng.suffix(6)}.${rng.suffix(16)}`,
    controlplaneToken: `${rng.suffix(6)}.${rng.suffix(16)}`,
    workerToken: `${rng.suffix(6)}.${rng.suffix(16)}`,
    caKey: `LS0tLS1CRUdJTiBFRDI1NTE5IFBSSVZBVEUgS0VZLS0tLS0K${b64(48)}`
  };
}
function machineConfigFor(node, tokens, installerImage) {
  const token = node.role === "controlplane" ? tokens.controlplaneToken : tokens.workerToken;
  return [
    "version: v1alpha1",
    "debug: false",
    "machine:",
    `  type: ${node.role}`,
    `  token: ${token}`,
    "  ca:",
    "    crt: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUJQakNCOGFBREFnRUNBaEE=",
    `    key: ${tokens.caKey}`,
    "  network:",
    `    hostname: ${node.name}`,
    "  install:",
    "    disk: /dev/sda",
    `    image: ${installerImage}`,
    "cluster:",
    "  id: c2ltdWxhdGVkLWNsdXN0ZXItaWQ=",
    `  secret: ${tokens.clusterSecret}`,
    `  token: ${tokens.bootstrapToken}`,
    "  controlPlane:",
    "    endpoint: https://10.0.10.10:6443",
    ""
  ].join("\n");
}
function secretValuesOf(tokens) {
  return Object.values(tokens);
}
var lastParsed;
function documents(config) {
  if (lastParsed?.config === config) return lastParsed.docs;
  const docs = parseDocuments(config);
  lastParsed = { config, docs };
  return docs;
}
function parseDocuments(config) {
  try {
    return parseAllDocuments(config).map((d) => {
      if ("errors" in d && d.errors.length > 0) throw new Error(d.errors[0]?.message);
      return d.toJS();
    });
  } catch {
    return [];
  }
}
function validateMachineConfig(config, node, tokens) {
  const docs = documents(config);
  const main = docs.find((d) => d && typeof d === "object" && "machine" in d);
  const fail = (why) => new DroverError("failed", "TALOS_CONFIG_INVALID", `error applying new configuration: ${why}`, {
    details: { node: node.name }
  });
  if (!main) throw fail("failed to parse config: no machine config document found");
  if (main.machine?.type !== node.role)
    throw fail(
      `machine type ${String(main.machine?.type)} does not match the node's role ${node.role}`
    );
  const expected = node.role === "controlplane" ? tokens.controlplaneToken : tokens.workerToken;
  if (main.machine?.token !== expected || main.cluster?.secret !== tokens.clusterSecret)
    throw fail(
      "rpc error: code = InvalidArgument desc = the config does not belong to this cluster"
    );
}
function hasNvidiaModules(config) {
  const docs = documents(config);
  if (docs.length === 0) return /name:\s*nvidia/.test(config);
  return docs.some((d) => {
    const modules = d?.machine?.kernel?.modules;
    return Array.isArray(modules) && modules.some((m) => /^nvidia/.test(m?.name ?? ""));
  });
}

// src/adapters/simulated/world/machines.ts
var NODE_GRACE_MS = 4e4;
var TAINT_EVICTION_MS = 3e5;
function createVm(world, node) {
  const template = world.state.templates[node.template];
  const vm = {
    id: String(world.state.nextVmId++),
    node: node.name,
    templateKey: node.template,
    version: template?.version ?? world.context.talos.from,
    schematic: template?.schematic ?? node.schematic,
    phase: "booting",
    gpuDriver: false,
    createdAt: world.now
  };
  world.state.vms[node.name] = vm;
  world.schedule(world.rng.jitter(world.ms("wait-maintenance")), {
    type: "vm-maintenance",
    node: node.name,
    vmId: vm.id
  });
  world.changed();
  return vm;
}
function destroyVm(world, node) {
  const vm = world.state.vms[node.name];
  if (!vm) return;
  if (world.hasFault("old-vm-lingers", (f) => "node" in f && f.node === node.name))
    world.state.lingering[node.name] = { ...vm };
  world.state.vms[node.name] = void 0;
  for (const m of world.state.etcd) if (m.node === node.name) m.healthy = false;
  machineStopped(world, node.name, null);
  world.changed();
}
function machineStopped(world, node, vmId) {
  world.schedule(NODE_GRACE_MS, { type: "node-unreachable", node, vmId });
}
function configure(world, vm, config) {
  vm.phase = "installing";
  vm.gpuDriver = hasNvidiaModules(config);
  world.schedule(world.rng.jitter(world.ms("wait-ready")), {
    type: "vm-configured",
    node: vm.node,
    vmId: vm.id
  });
  world.changed();
}
function currentVm(world, event) {
  const vm = world.state.vms[event.node];
  return vm && vm.id === event.vmId ? vm : void 0;
}
function registerMachineHandlers(world) {
  world.on("vm-maintenance", (w, e) => {
    if (e.type !== "vm-maintenance") return;
    const vm = currentVm(w, e);
    if (vm && vm.phase === "booting") vm.phase = "maintenance";
  });
  world.on("vm-configured", (w, e) => {
    if (e.type !== "vm-configured") return;
    const vm = currentVm(w, e);
    const node = w.node(e.node);
    if (!vm || !node) return;
    vm.phase = "running";
    const neverReady = w.hasFault("never-ready", (f) => "node" in f && f.node === node.name);
    const stuck = w.scriptedFailure("wait-ready", node.name) !== void 0;
    registerKubelet(w, node, vm.version, w.state.kubernetesVersion, !neverReady && !stuck);
    if (node.role === "controlplane") joinEtcd(w, node, vm);
    if (node.gpu && vm.gpuDriver && vm.templateKey.endsWith(GPU_SCHEMATIC_FLAVOR)) {
      w.schedule(w.rng.jitter(w.ms("wait-gpu", 0.4)), {
        type: "gpu-label",
        node: node.name,
        vmId: vm.id
      });
      w.schedule(w.rng.jitter(w.ms("wait-gpu", 0.9)), {
        type: "gpu-allocatable",
        node: node.name,
        vmId: vm.id
      });
    }
  });
  world.on("etcd-healthy", (w, e) => {
    if (e.type !== "etcd-healthy") return;
    const member = w.state.etcd.find((m) => m.id === e.memberId);
    if (member && w.vmRunning(member.node) && !etcdFaulted(w, member.node)) member.healthy = true;
  });
  world.on("gpu-label", (w, e) => {
    if (e.type === "gpu-label" && currentVm(w, e)?.phase === "running") setGpu(w, e.node, 0);
  });
  world.on("gpu-allocatable", (w, e) => {
    if (e.type === "gpu-allocatable" && currentVm(w, e)?.phase === "running") setGpu(w, e.node, 1);
  });
  world.on("node-unreachable", (w, e) => {
    if (e.type !== "node-unreachable") return;
    const vm = w.state.vms[e.node];
    if (vm && vm.phase === "running" && (e.vmId === null || vm.id !== e.vmId)) return;
    if (vm?.phase === "running") return;
    const node = w.store.getView(NODES, void 0, e.node);
    if (!node || readyStatus(node) === "Unknown") return;
    setReady(w, e.node, "Unknown");
    w.schedule(TAINT_EVICTION_MS, { type: "taint-evict", node: e.node });
  });
  world.on("fault-start", (w, e) => {
    if (e.type === "fault-start") applyTimedFault(w, e.index, true);
  });
  world.on("fault-end", (w, e) => {
    if (e.type === "fault-end") applyTimedFault(w, e.index, false);
  });
}
function etcdFaulted(world, node) {
  return world.hasFault("etcd-unhealthy", (f) => "node" in f && f.node === node);
}
function joinEtcd(world, node, vm) {
  let member = world.state.etcd.find((m) => m.node === node.name && m.vmId === vm.id);
  if (!member) {
    world.state.etcd = world.state.etcd.filter((m) => m.node !== node.name);
    member = { id: world.rng.hex(16), node: node.name, vmId: vm.id, healthy: false };
    world.state.etcd.push(member);
  }
  world.schedule(world.rng.jitter(world.ms("wait-etcd-rejoin")), {
    type: "etcd-healthy",
    node: node.name,
    memberId: member.id
  });
}
function armTimedFaults(world, startMs) {
  world.context.scenario.faults.forEach((f, index) => {
    if (!("fromSeconds" in f)) return;
    world.schedule(startMs + f.fromSeconds * 1e3 - world.now, { type: "fault-start", index });
    if (f.untilSeconds !== void 0)
      world.schedule(startMs + f.untilSeconds * 1e3 - world.now, { type: "fault-end", index });
  });
}
function applyTimedFault(world, index, on) {
  const fault = world.context.scenario.faults[index];
  if (!fault) return;
  world.state.faultActive[index] = on;
  if (fault.type === "etcd-unhealthy") {
    for (const m of world.state.etcd)
      if (m.node === fault.node) m.healthy = on ? false : world.vmRunning(m.node);
  }
  if (fault.type === "node-down") {
    const vm = world.state.vms[fault.node];
    if (!vm) return;
    if (on && vm.phase === "running") {
      vm.phase = "stopped";
      for (const m of world.state.etcd) if (m.node === fault.node) m.healthy = false;
      machineStopped(world, fault.node, vm.id);
    } else if (!on && vm.phase === "stopped") {
      vm.phase = "installing";
      world.schedule(world.rng.jitter(world.ms("wait-ready")), {
        type: "vm-configured",
        node: vm.node,
        vmId: vm.id
      });
    }
  }
  world.changed();
}

// src/adapters/simulated/ports/infrastructure-port.ts
var VM_RESOURCE = "proxmox_virtual_environment_vm.vm";
var TEMPLATE_RESOURCES = [
  "proxmox_virtual_environment_download_file.talos_image",
  "proxmox_virtual_environment_vm.template"
];
var SHARED_RESOURCES = [
  "proxmox_virtual_environment_dns.cluster",
  "proxmox_virtual_environment_hosts.cluster",
  "talos_machine_secrets.this"
];
var PLAN_SECONDS = 8;
var SimulatedInfrastructurePort = class {
  constructor(world) {
    this.world = world;
  }
  world;
  operationCounter = 0;
  get tf() {
    return this.world.state.terraform;
  }
  /** Every resource address in the state, with its owner. */
  resources() {
    const out = [];
    for (const [key2, t] of Object.entries(this.world.state.templates))
      for (const r of TEMPLATE_RESOURCES)
        out.push({
          address: `${t.address}.${r}`,
          owner: { kind: "template", key: key2 },
          id: r.endsWith("vm.template") ? t.id : `local:iso/talos-${t.version}-${t.flavor}.img`
        });
    for (const node of this.world.context.inventory.nodes) {
      const vm = this.world.vm(node.name);
      if (!vm) continue;
      for (const module of node.terraformAddresses)
        out.push({
          address: `${module}.${VM_RESOURCE}`,
          owner: { kind: "node", node },
          id: `${node.host}/${vm.id}`
        });
    }
    for (const r of SHARED_RESOURCES)
      out.push({ address: r, owner: { kind: "shared" }, id: r.split(".")[1] ?? r });
    return out;
  }
  /** Resources an address covers: itself, or every resource under a module address. */
  expand(address) {
    const all = this.resources();
    const exact = all.filter((r) => r.address === address);
    if (exact.length > 0) return exact;
    const under = all.filter((r) => r.address.startsWith(`${address}.`));
    if (under.length > 0) return under;
    for (const node of this.world.context.inventory.nodes)
      if (node.terraformAddresses.includes(address))
        return [{ address: `${address}.${VM_RESOURCE}`, owner: { kind: "node", node } }];
    return [];
  }
  lock(operation) {
    const held = this.tf.lock;
    if (held) {
      throw new DroverError(
        "failed",
        "TF_STATE_LOCKED",
        [
          "Error: Error acquiring the state lock",
          "",
          "Error message: ConditionalCheckFailedException: The conditional request failed",
          "Lock Info:",
          `  ID:        ${held.id}`,
          `  Path:      terraform-state/${this.world.context.inventory.cluster}/terraform.tfstate`,
          `  Operation: ${held.operation}`,
          `  Who:       ${held.who}`,
          `  Version:   1.11.4`,
          `  Created:   ${new Date(held.created).toISOString()}`
        ].join("\n"),
        {
          hint: "Another Terraform operation holds the state lock. If no operation is running, the lock is stale: check and `terraform force-unlock` it deliberately.",
          details: { lockId: held.id, who: held.who, operation: held.operation, transient: false }
        }
      );
    }
    const lock = {
      id: `${this.world.rng.hex(8)}-${this.world.rng.hex(4)}-${this.world.rng.hex(4)}`,
      operation,
      who: `drover@runner`,
      created: this.world.now
    };
    this.tf.lock = lock;
    this.world.changed();
    return lock;
  }
  unlock(lock) {
    if (this.tf.lock?.id === lock.id) this.tf.lock = null;
    this.world.changed();
  }
  async plan(request) {
    const lock = this.lock("OperationTypePlan");
    try {
      await this.world.clock.sleep(PLAN_SECONDS * 1e3, request.signal);
      const changes = [];
      for (const address of request.replace) {
        const resources2 = this.expand(address);
        if (resources2.length === 0)
          throw new DroverError(
            "failed",
            "TF_PLAN_FAILED",
            `Error: Invalid replace address: no resource instance "${address}" in the state or the configuration`,
            { details: { address } }
          );
        for (const r of resources2)
          changes.push({
            address: r.address,
            actions: this.exists(r.address) ? ["delete", "create"] : ["create"]
          });
      }
      for (const [i, f] of this.world.faults().entries()) {
        if (f.type !== "plan-extra-resource") continue;
        const node = this.world.node(f.node);
        if (!node || !request.replace.some((a) => node.terraformAddresses.includes(a))) continue;
        const extra = f.address ?? SHARED_RESOURCES[0] ?? "proxmox_virtual_environment_dns.cluster";
        if (!changes.some((c2) => c2.address === extra))
          changes.push({ address: extra, actions: ["update"] });
        this.world.state.faultUses[i] = (this.world.state.faultUses[i] ?? 0) + 1;
      }
      const id = `plan-${this.tf.nextPlan++}`;
      this.tf.plans[id] = { id, serial: this.tf.serial, changes, applied: false };
      this.world.changed();
      return { id, changes: changes.map((c2) => ({ address: c2.address, actions: [...c2.actions] })) };
    } finally {
      this.unlock(lock);
    }
  }
  exists(address) {
    return this.resources().some((r) => r.address === address);
  }
  async apply(plan, signal) {
    const saved = this.tf.plans[plan.id];
    if (!saved || saved.applied)
      throw new DroverError(
        "failed",
        "TF_APPLY_FAILED",
        `Error: Failed to load "${plan.id}" as a plan file`,
        { details: { transient: false } }
      );
    if (saved.serial !== this.tf.serial)
      throw new DroverError(
        "failed",
        "TF_PLAN_STALE",
        "Error: Saved plan is stale\n\nThe given plan file can no longer be applied because the state was changed by another operation after the plan was created.",
        { details: { transient: false } }
      );
    const owners = saved.changes.map((c2) => this.ownerOf(c2.address));
    const nodes = [...new Set(owners.flatMap((o) => o.kind === "node" ? [o.node.name] : []))];
    const templates = [...new Set(owners.flatMap((o) => o.kind === "template" ? [o.key] : []))];
    const fault = nodes.length > 0 ? this.world.scriptedFailure("replace-vm", nodes[0]) : templates.length > 0 ? this.world.scriptedFailure("rebuild-template", void 0) : void 0;
    const lock = this.lock("OperationTypeApply");
    try {
      if (fault) {
        await this.world.clock.sleep(PLAN_SECONDS * 1e3, signal);
        throw fault;
      }
      saved.applied = true;
      this.checkScope(saved.changes, owners, nodes);
      const total = nodes.length > 0 ? this.world.ms("replace-vm") - PLAN_SECONDS * 1e3 : this.world.ms("rebuild-template") - PLAN_SECONDS * 1e3;
      const replaced = nodes.map((n) => this.world.node(n)).filter((n) => !!n);
      await this.world.clock.sleep(Math.max(0, total * 0.2), signal);
      for (const node of replaced) {
        if (!this.world.vm(node.name)) continue;
        checkBackupBeforeDestroy(this.world, node.name);
        const wasOut = outOfService(this.world, node.name);
        destroyVm(this.world, node);
        this.tf.serial += 1;
        checkTakenOut(this.world, node, `VM of ${node.name} destroyed`, wasOut);
      }
      await this.world.clock.sleep(Math.max(0, total * 0.8), signal);
      for (const node of replaced) {
        createVm(this.world, node);
        this.world.state.vmReplacements[node.name] = (this.world.state.vmReplacements[node.name] ?? 0) + 1;
      }
      for (const key2 of templates) {
        const t = this.world.state.templates[key2];
        if (!t) continue;
        t.version = this.world.context.talos.to;
        t.id = String(9100 + this.world.state.terraform.nextPlan + this.operationCounter++);
      }
      if (saved.changes.some((c2) => c2.actions.some((a) => a !== "no-op" && a !== "read")))
        this.tf.serial += 1;
      this.world.changed();
    } finally {
      this.unlock(lock);
    }
  }
  ownerOf(address) {
    const r = this.resources().find((x) => x.address === address);
    if (r) return r.owner;
    for (const node of this.world.context.inventory.nodes)
      if (node.terraformAddresses.some((m) => address === m || address.startsWith(`${m}.`)))
        return { kind: "node", node };
    return { kind: "shared" };
  }
  /** Invariant 3: one node's addresses, or templates only; anything else is out of scope. */
  checkScope(changes, owners, nodes) {
    const shared = changes.filter((_c, i) => owners[i]?.kind === "shared").map((c2) => c2.address);
    const hasTemplates = owners.some((o) => o.kind === "template");
    if (nodes.length > 1)
      this.world.violation(
        3,
        `apply touched the VMs of ${nodes.length} nodes at once (${nodes.join(", ")})`
      );
    if (nodes.length > 0 && hasTemplates)
      this.world.violation(3, `apply touched templates and the VM of ${nodes.join(", ")} together`);
    if (shared.length > 0)
      this.world.violation(
        3,
        `apply touched ${shared.join(", ")}, outside the replaced ${nodes.length > 0 ? `node ${nodes.join(", ")}` : "templates"}`
      );
  }
  async pullState(signal) {
    await this.world.clock.sleep(this.world.ms("backup-state", 0.4), signal);
    const state = {
      version: 4,
      terraform_version: "1.11.4",
      serial: this.tf.serial,
      lineage: this.tf.lineage,
      outputs: {},
      resources: this.resources().map((r) => ({ address: r.address, id: r.id })),
      check_results: null
    };
    return {
      serial: this.tf.serial,
      lineage: this.tf.lineage,
      bytes: new TextEncoder().encode(JSON.stringify(state, null, 2))
    };
  }
  async listResources() {
    return this.resources().map((r) => r.address);
  }
  async resourceIds(addresses) {
    const all = this.resources();
    const out = {};
    for (const address of addresses) {
      const hit = all.find((r) => r.address === address) ?? all.find((r) => r.address.startsWith(`${address}.`) && r.address.endsWith(VM_RESOURCE)) ?? all.find((r) => r.address.startsWith(`${address}.`) && r.address.endsWith("vm.template"));
      out[address] = hit?.id;
    }
    return out;
  }
  async templateVersion(address) {
    await this.world.clock.sleep(1e3);
    const t = Object.values(this.world.state.templates).find(
      (x) => x.address === address || address.startsWith(`${x.address}.`)
    );
    return t?.version;
  }
};

// src/adapters/simulated/kube/eviction.ts
var PDB_RESOURCE = "policy/poddisruptionbudgets";
var MAX_DISRUPTED_PODS = 2e3;
var BUDGET_MESSAGE = "Cannot evict pod as it would violate the pod's disruption budget.";
function evictPod(store, namespace, name2, body, nowMs) {
  const eviction = body && typeof body === "object" ? body : {};
  if (eviction.metadata?.name !== name2) {
    return badRequest("name in URL does not match name in Eviction object");
  }
  if (eviction.metadata.namespace && eviction.metadata.namespace !== namespace) {
    return badRequest(
      "the namespace of the provided object does not match the namespace sent on the request"
    );
  }
  const pod = store.get("pods", namespace, name2);
  if (!pod) return notFound("pods", name2);
  const grace = eviction.deleteOptions?.gracePeriodSeconds;
  const phase = podPhase(pod);
  if (phase === "Succeeded" || phase === "Failed" || phase === "Pending" || pod.metadata.deletionTimestamp) {
    return deleted(store, pod, grace, nowMs);
  }
  const pdbs = store.list(PDB_RESOURCE, namespace).filter(
    (pdb2) => selectorMatches(pdb2.spec?.selector, pod.metadata.labels)
  );
  if (pdbs.length > 1) {
    return statusFailure(
      500,
      void 0,
      "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support."
    );
  }
  const pdb = pdbs[0];
  if (!pdb) return deleted(store, pod, grace, nowMs);
  const status = pdb.status ?? {};
  if (!podReady(pod)) {
    const policy = pdb.spec?.unhealthyPodEvictionPolicy;
    const healthyEnough = (status.currentHealthy ?? 0) >= (status.desiredHealthy ?? 0) && (status.desiredHealthy ?? 0) > 0;
    if (policy === "AlwaysAllow" || healthyEnough) return deleted(store, pod, grace, nowMs);
  }
  const pdbName = pdb.metadata.name;
  if ((status.observedGeneration ?? 0) < (pdb.metadata.generation ?? 1)) {
    return tooManyRequests(
      `The disruption budget ${pdbName} is still being processed by the server.`,
      10
    );
  }
  const allowed = status.disruptionsAllowed ?? 0;
  const disrupted = status.disruptedPods ?? {};
  if (allowed < 0) return forbidden(pdbName, "pdb disruptions allowed is negative");
  if (Object.keys(disrupted).length > MAX_DISRUPTED_PODS) {
    return forbidden(
      pdbName,
      "DisruptedPods map too big - too many evictions not confirmed by PDB controller"
    );
  }
  if (allowed === 0) {
    return tooManyRequests(
      `The disruption budget ${pdbName} needs ${status.desiredHealthy ?? 0} healthy pods and has ${status.currentHealthy ?? 0} currently`,
      0
    );
  }
  try {
    store.update(
      PDB_RESOURCE,
      {
        ...pdb,
        status: {
          ...status,
          disruptionsAllowed: allowed - 1,
          disruptedPods: { ...disrupted, [name2]: iso(nowMs) }
        }
      },
      { expectedResourceVersion: pdb.metadata.resourceVersion }
    );
  } catch (error) {
    if (error instanceof StoreError && error.code === 409) {
      return tooManyRequests(
        `The disruption budget ${pdbName} is still being processed by the server.`,
        10
      );
    }
    throw error;
  }
  return deleted(store, pod, grace, nowMs);
}
function deleted(store, pod, grace, nowMs) {
  const { namespace = "", name: name2 } = pod.metadata;
  if (!pod.metadata.deletionTimestamp) markDisruptionTarget(store, namespace, name2, nowMs);
  const result = deletePod(store, namespace, name2, grace, nowMs);
  if (result.code >= 300) return result;
  return statusSuccess(201);
}
function markDisruptionTarget(store, namespace, name2, nowMs) {
  const pod = store.get("pods", namespace, name2);
  if (!pod || podPhase(pod) !== "Running") return;
  store.mutate("pods", namespace, name2, (p) => {
    const status = p.status ??= {};
    const conditions = Array.isArray(status.conditions) ? status.conditions : [];
    status.conditions = [
      ...conditions.filter((c2) => c2.type !== "DisruptionTarget"),
      {
        type: "DisruptionTarget",
        status: "True",
        reason: "EvictionByEvictionAPI",
        message: "Eviction API: evicting",
        lastTransitionTime: iso(nowMs)
      }
    ];
  });
}
function tooManyRequests(cause, retryAfterSeconds) {
  return statusFailure(429, "TooManyRequests", BUDGET_MESSAGE, {
    causes: [{ reason: "DisruptionBudget", message: cause }],
    ...retryAfterSeconds > 0 ? { retryAfterSeconds } : {}
  });
}
function forbidden(pdbName, why) {
  return statusFailure(
    403,
    "Forbidden",
    `poddisruptionbudget.policy "${pdbName}" is forbidden: ${why}`,
    { name: pdbName, group: "policy", kind: "poddisruptionbudget" }
  );
}

// src/adapters/simulated/ports/kubernetes-port.ts
function toNodeView(obj) {
  const info = obj.status?.nodeInfo ?? {};
  return {
    name: obj.metadata.name,
    ready: readyStatus(obj),
    unschedulable: obj.spec?.unschedulable === true,
    osImage: info.osImage ?? "",
    talosVersion: talosVersionOf(obj),
    kubeletVersion: (info.kubeletVersion ?? "").replace(/^v/, ""),
    labels: { ...obj.metadata.labels ?? {} },
    allocatable: { ...obj.status?.allocatable ?? {} },
    resourceVersion: obj.metadata.resourceVersion
  };
}
function toPodView(obj) {
  const ref = obj.metadata.ownerReferences?.find((r) => r.controller);
  const volumes = obj.spec?.volumes ?? [];
  return {
    namespace: obj.metadata.namespace ?? "",
    name: obj.metadata.name,
    uid: obj.metadata.uid,
    nodeName: typeof obj.spec?.nodeName === "string" ? obj.spec.nodeName : void 0,
    phase: podPhase(obj),
    ready: podReady(obj),
    controllerKind: ref?.kind,
    mirror: obj.metadata.annotations?.[MIRROR_ANNOTATION] !== void 0,
    usesEmptyDir: volumes.some((v) => v.emptyDir !== void 0),
    deleting: obj.metadata.deletionTimestamp !== void 0,
    labels: { ...obj.metadata.labels ?? {} }
  };
}
function microTime(ms) {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
}
function waitTimeout(what, ms) {
  return new DroverError(
    "failed",
    "WAIT_TIMEOUT",
    `timed out after ${Math.round(ms / 1e3)}s waiting for ${what}`,
    {
      details: { timeoutMs: ms }
    }
  );
}
function apiError(status, what) {
  const message = typeof status.body.message === "string" ? status.body.message : `HTTP ${status.code}`;
  return new DroverError("failed", `KUBE_${status.code}`, `${what}: ${message}`, {
    details: {
      status: status.code,
      reason: status.body.reason,
      transient: status.code >= 500 || status.code === 429
    }
  });
}
var SimulatedKubernetesPort = class {
  constructor(world) {
    this.world = world;
  }
  world;
  get store() {
    return this.world.store;
  }
  async getNode(name2) {
    const obj = this.store.getView(R.nodes, void 0, name2);
    return obj ? toNodeView(obj) : void 0;
  }
  async listNodes() {
    return this.store.listView(R.nodes).map(toNodeView);
  }
  async cordon(name2) {
    await this.setUnschedulable(name2, true);
  }
  async uncordon(name2) {
    await this.setUnschedulable(name2, false);
  }
  async setUnschedulable(name2, on) {
    this.world.failIfScripted(on ? "cordon" : "uncordon", name2);
    await this.world.clock.sleep(this.world.ms(on ? "cordon" : "uncordon"));
    try {
      this.store.mutate(R.nodes, void 0, name2, (n) => {
        const spec = n.spec ??= {};
        if (on) spec.unschedulable = true;
        else delete spec.unschedulable;
      });
    } catch (error) {
      if (error instanceof StoreError && error.code === 404)
        throw new DroverError("failed", "NODE_NOT_FOUND", `nodes "${name2}" not found`, {
          cause: error
        });
      throw error;
    }
  }
  waitForNode(name2, predicate, options) {
    const read = () => {
      const obj = this.store.getView(R.nodes, void 0, name2);
      return obj ? toNodeView(obj) : void 0;
    };
    return this.waitFor(
      `node ${name2}`,
      (e) => e === void 0 || e.resource === R.nodes && e.object.metadata.name === name2,
      () => {
        const view = read();
        return predicate(view) ? { value: view } : void 0;
      },
      options
    );
  }
  async listPodsOnNode(nodeName) {
    return this.store.listView(R.pods).filter((p) => p.spec?.nodeName === nodeName).map(toPodView);
  }
  async evictPod(pod) {
    this.world.failIfScripted("drain", this.podNode(pod));
    const body = {
      apiVersion: "policy/v1",
      kind: "Eviction",
      metadata: { name: pod.name, namespace: pod.namespace },
      ...pod.uid ? { deleteOptions: { preconditions: { uid: pod.uid } } } : {}
    };
    if (pod.uid) {
      const current = this.store.getView(R.pods, pod.namespace, pod.name);
      if (current && current.metadata.uid !== pod.uid) return { outcome: "gone" };
    }
    const result = evictPod(this.store, pod.namespace, pod.name, body, this.world.now);
    if (result.code === 201 || result.code === 200) return { outcome: "evicted" };
    if (result.code === 404) return { outcome: "gone" };
    if (result.code === 429) {
      const details = result.body.details ?? {};
      return {
        outcome: "blocked",
        reason: details.causes?.[0]?.message ?? String(result.body.message ?? "TooManyRequests"),
        ...details.retryAfterSeconds ? { retryAfterSeconds: details.retryAfterSeconds } : {}
      };
    }
    throw apiError(result, `evicting ${pod.namespace}/${pod.name}`);
  }
  podNode(pod) {
    const obj = this.store.getView(R.pods, pod.namespace, pod.name);
    return typeof obj?.spec?.nodeName === "string" ? obj.spec.nodeName : void 0;
  }
  async deletePod(pod, gracePeriodSeconds) {
    if (pod.uid) {
      const current = this.store.getView(R.pods, pod.namespace, pod.name);
      if (current && current.metadata.uid !== pod.uid) return;
    }
    const result = deletePod(
      this.store,
      pod.namespace,
      pod.name,
      gracePeriodSeconds,
      this.world.now
    );
    if (result.code >= 300 && result.code !== 404)
      throw apiError(result, `deleting ${pod.namespace}/${pod.name}`);
  }
  waitForPodsGone(pods, options) {
    const gone = (p) => {
      const obj = this.store.getView(R.pods, p.namespace, p.name);
      return !obj || p.uid !== void 0 && obj.metadata.uid !== p.uid;
    };
    return this.waitFor(
      `${pods.length} pod(s) to terminate`,
      (e) => e === void 0 || e.resource === R.pods,
      () => pods.every(gone) ? { value: void 0 } : void 0,
      options
    );
  }
  async deploymentStatus(namespace, name2) {
    const d = this.store.getView(R.deployments, namespace, name2);
    if (!d) return void 0;
    const rsUids = this.store.listView(R.replicasets, namespace).filter((rs) => rs.metadata.ownerReferences?.some((r) => r.uid === d.metadata.uid)).map((rs) => rs.metadata.uid);
    const status = d.status ?? {};
    return {
      namespace,
      name: name2,
      desired: Number(d.spec?.replicas ?? 0),
      available: status.availableReplicas ?? 0,
      readyNodes: this.readyNodes(namespace, rsUids)
    };
  }
  async daemonSetStatus(namespace, name2) {
    const ds = this.store.getView(R.daemonsets, namespace, name2);
    if (!ds) return void 0;
    const status = ds.status ?? {};
    return {
      namespace,
      name: name2,
      desired: status.desiredNumberScheduled ?? 0,
      available: status.numberAvailable ?? 0,
      readyNodes: this.readyNodes(namespace, [ds.metadata.uid])
    };
  }
  readyNodes(namespace, ownerUids) {
    const nodes = this.store.listView(R.pods, namespace).filter((p) => p.metadata.ownerReferences?.some((r) => ownerUids.includes(r.uid))).filter(
      (p) => podReady(p) && !p.metadata.deletionTimestamp && typeof p.spec?.nodeName === "string"
    ).map((p) => String(p.spec?.nodeName));
    return [...new Set(nodes)].sort();
  }
  async cephHealth() {
    const cluster = this.store.listView(R.cephclusters)[0];
    const health = cluster?.status?.ceph?.health;
    return health === "HEALTH_OK" || health === "HEALTH_WARN" || health === "HEALTH_ERR" ? health : void 0;
  }
  async helmReleases() {
    return this.store.listView(R.helmreleases).map((hr) => {
      const conditions = hr.status?.conditions ?? [];
      const ready = conditions.find((c2) => c2.type === "Ready");
      const observed = hr.status?.observedGeneration;
      return {
        namespace: hr.metadata.namespace ?? "",
        name: hr.metadata.name,
        ready: ready?.status === "True" && observed === (hr.metadata.generation ?? 1),
        reason: ready?.reason ?? "Unknown"
      };
    });
  }
  async problemPods() {
    return this.store.listView(R.pods).filter((p) => {
      const phase = podPhase(p);
      return phase !== "Running" && phase !== "Succeeded";
    }).map(toPodView);
  }
  async getResource(apiVersion, plural2, namespace, name2) {
    const group = apiVersion.includes("/") ? apiVersion.slice(0, apiVersion.indexOf("/")) : "";
    const resource = group === "" ? plural2 : `${group}/${plural2}`;
    return this.store.get(resource, namespace, name2);
  }
  async apiServerReady() {
    const members = this.world.state.etcd;
    const healthy = members.filter((m) => m.healthy && this.world.vmRunning(m.node)).length;
    return healthy > members.length / 2;
  }
  async getLease(namespace, name2) {
    const obj = this.store.getView(R.leases, namespace, name2);
    return obj ? toLease(obj) : void 0;
  }
  async createLease(lease) {
    try {
      const created = this.store.create(R.leases, {
        apiVersion: "coordination.k8s.io/v1",
        kind: "Lease",
        metadata: { name: lease.name, namespace: lease.namespace },
        spec: leaseSpec(lease)
      });
      return toLease(created);
    } catch (error) {
      if (error instanceof StoreError && error.code === 409)
        throw new DroverError("failed", "LEASE_CONFLICT", error.message, { cause: error });
      throw error;
    }
  }
  async updateLease(lease) {
    const current = this.store.getView(R.leases, lease.namespace, lease.name);
    if (!current)
      throw new DroverError(
        "failed",
        "LEASE_CONFLICT",
        `leases.coordination.k8s.io "${lease.name}" not found`
      );
    try {
      const updated = this.store.update(
        R.leases,
        { ...current, spec: leaseSpec(lease) },
        { expectedResourceVersion: lease.resourceVersion }
      );
      return toLease(updated);
    } catch (error) {
      if (error instanceof StoreError && error.code === 409)
        throw new DroverError("failed", "LEASE_CONFLICT", error.message, { cause: error });
      throw error;
    }
  }
  /** Resolves once `check` yields, re-checking on every matching store event; deadline on the clock. */
  waitFor(what, relevant, check, options) {
    const first = check();
    if (first) return Promise.resolve(first.value);
    if (options.signal?.aborted) return Promise.reject(options.signal.reason);
    return new Promise((resolve, reject) => {
      const timer = new AbortController();
      const finish = (fn) => {
        unsubscribe();
        timer.abort();
        options.signal?.removeEventListener("abort", onAbort);
        fn();
      };
      const unsubscribe = this.store.subscribe((event) => {
        if (!relevant(event)) return;
        const hit = check();
        if (hit) finish(() => resolve(hit.value));
      });
      const onAbort = () => finish(() => reject(options.signal?.reason));
      options.signal?.addEventListener("abort", onAbort, { once: true });
      this.world.clock.sleep(options.timeoutMs, timer.signal).then(
        () => {
          const hit = check();
          finish(() => hit ? resolve(hit.value) : reject(waitTimeout(what, options.timeoutMs)));
        },
        () => void 0
      );
    });
  }
};
function leaseSpec(lease) {
  return {
    ...lease.holderIdentity !== void 0 ? { holderIdentity: lease.holderIdentity } : {},
    leaseDurationSeconds: lease.leaseDurationSeconds,
    ...lease.acquireTime !== void 0 ? { acquireTime: microTime(lease.acquireTime) } : {},
    ...lease.renewTime !== void 0 ? { renewTime: microTime(lease.renewTime) } : {},
    leaseTransitions: lease.leaseTransitions
  };
}
function toLease(obj) {
  const spec = obj.spec ?? {};
  return {
    namespace: obj.metadata.namespace ?? "",
    name: obj.metadata.name,
    holderIdentity: spec.holderIdentity === "" ? void 0 : spec.holderIdentity,
    leaseDurationSeconds: spec.leaseDurationSeconds ?? 0,
    acquireTime: spec.acquireTime ? Date.parse(spec.acquireTime) : void 0,
    renewTime: spec.renewTime ? Date.parse(spec.renewTime) : void 0,
    leaseTransitions: spec.leaseTransitions ?? 0,
    resourceVersion: obj.metadata.resourceVersion
  };
}

// src/adapters/simulated/ports/secrets-port.ts
var SimulatedSecretsPort = class {
  constructor(world) {
    this.world = world;
  }
  world;
  async machineConfig(node) {
    const tokens = this.world.state.secrets.tokens;
    const image = `factory.talos.dev/${node.platform}-installer/${node.schematic}:v${this.world.context.talos.to}`;
    const config = machineConfigFor(node, tokens, image);
    const served = this.world.state.secrets.served;
    for (const value of secretValuesOf(tokens)) if (!served.includes(value)) served.push(value);
    this.world.changed();
    return config;
  }
};

// src/adapters/simulated/ports/state-backup-port.ts
import { createHash } from "node:crypto";
function sha256(bytes) {
  return createHash("sha256").update(bytes).digest("hex");
}
function stateSerial(bytes) {
  try {
    const parsed = JSON.parse(new TextDecoder().decode(bytes));
    return typeof parsed.serial === "number" ? parsed.serial : void 0;
  } catch {
    return void 0;
  }
}
var SimulatedStateBackupPort = class {
  constructor(world) {
    this.world = world;
  }
  world;
  checkAvailable() {
    if (this.world.hasFault("s3-unavailable"))
      throw new DroverError(
        "failed",
        "S3_UNAVAILABLE",
        "connect ECONNREFUSED s3.simulated.local:443 (S3 is unavailable)",
        {
          details: { transient: true },
          hint: "Check the S3 endpoint and credentials."
        }
      );
  }
  async put(key2, bytes, signal) {
    this.checkAvailable();
    this.world.failIfScripted("backup-state", void 0);
    await this.world.clock.sleep(this.world.ms("backup-state", 0.4), signal);
    this.checkAvailable();
    const digest = sha256(bytes);
    const serial = stateSerial(bytes);
    this.world.state.s3[key2] = {
      base64: Buffer.from(bytes).toString("base64"),
      sha256: digest,
      ...serial !== void 0 ? { serial } : {}
    };
    this.world.changed();
    return { key: key2, sha256: digest, size: bytes.byteLength };
  }
  async get(key2, signal) {
    this.checkAvailable();
    await this.world.clock.sleep(this.world.ms("backup-state", 0.2), signal);
    const object = this.world.state.s3[key2];
    if (!object)
      throw new DroverError(
        "failed",
        "S3_NO_SUCH_KEY",
        `NoSuchKey: The specified key does not exist. (${key2})`,
        {
          details: { key: key2, transient: false }
        }
      );
    const bytes = new Uint8Array(Buffer.from(object.base64, "base64"));
    if (object.serial !== void 0 && object.serial === this.world.state.terraform.serial) {
      this.world.state.verifiedBackupSerial = object.serial;
      this.world.changed();
    }
    return bytes;
  }
};

// src/adapters/simulated/ports/storage-port.ts
var SimulatedStoragePort = class {
  constructor(world) {
    this.world = world;
  }
  world;
  async setNoout(domain, on) {
    this.world.failIfScripted(on ? "storage-noout-set" : "storage-noout-unset", void 0);
    await this.world.clock.sleep(this.world.ms(on ? "storage-noout-set" : "storage-noout-unset"));
    const flags = this.world.state.noout.filter((d) => d !== domain);
    if (on) flags.push(domain);
    this.world.state.noout = flags.sort();
    this.world.changed();
    this.world.requestReconcile();
  }
  async nooutDomains() {
    return [...this.world.state.noout];
  }
};

// src/adapters/simulated/world/rng.ts
var SeededRandom = class _SeededRandom {
  constructor(state) {
    this.state = state;
  }
  state;
  static fromSeed(seed) {
    return new _SeededRandom(Math.imul(seed ^ 2654435769, 2246822507) >>> 0 || 1831565813);
  }
  /** Uniform in [0, 1). */
  next() {
    this.state = this.state + 1831565813 >>> 0;
    let t = this.state;
    t = Math.imul(t ^ t >>> 15, t | 1);
    t ^= t + Math.imul(t ^ t >>> 7, t | 61);
    return ((t ^ t >>> 14) >>> 0) / 4294967296;
  }
  /** `base` scaled by a factor in [1 - spread, 1 + spread]. */
  jitter(base, spread = 0.1) {
    return base * (1 - spread + 2 * spread * this.next());
  }
  hex(length) {
    let out = "";
    while (out.length < length) out += Math.floor(this.next() * 16).toString(16);
    return out;
  }
  /** Lower-case letters and digits, like the suffixes of generated pod names. */
  suffix(length) {
    const alphabet = "bcdfghjklmnpqrstvwxz2456789";
    let out = "";
    for (let i = 0; i < length; i++) out += alphabet[Math.floor(this.next() * alphabet.length)];
    return out;
  }
};

// src/adapters/simulated/world/world.ts
var MAX_RECONCILE_PASSES = 200;
var World = class {
  constructor(context, state, store, clock) {
    this.context = context;
    this.state = state;
    this.store = store;
    this.clock = clock;
    this.rng = new SeededRandom(state.rng);
  }
  context;
  state;
  store;
  clock;
  rng;
  actor = "drover";
  reconcileQueued = false;
  handlers = /* @__PURE__ */ new Map();
  reconcilers = [];
  /** Resources changed since the last reconcile pass, and whether world state changed. */
  dirty = /* @__PURE__ */ new Set();
  worldDirty = true;
  storeHooks = [];
  changeListeners = [];
  cancels = /* @__PURE__ */ new Map();
  unsubscribe;
  started = false;
  reconciling = false;
  get now() {
    return this.clock.now();
  }
  get durations() {
    return this.context.durations;
  }
  /** Seconds of an action's nominal duration, as ms. */
  ms(action, fraction = 1) {
    return Math.round(this.context.durations[action] * 1e3 * fraction);
  }
  // ---- wiring --------------------------------------------------------------------------------
  on(type, handler) {
    this.handlers.set(type, handler);
  }
  /** A level-based controller, run when one of the `watches` resources (or world state) changed. */
  addReconciler(reconcile, watches) {
    this.reconcilers.push({ run: reconcile, watches });
  }
  addStoreHook(hook) {
    this.storeHooks.push(hook);
  }
  onChange(listener) {
    this.changeListeners.push(listener);
  }
  /** Starts reacting to store events and re-arms every persisted world event. */
  start() {
    this.started = true;
    this.unsubscribe = this.store.subscribe((event) => {
      this.dirty.add(event.resource);
      const actor = this.actor;
      for (const hook of this.storeHooks) hook(this, event, actor);
      this.requestReconcile();
      this.notifyListeners();
    });
    for (const event of [...this.state.pending].sort((a, b) => a.at - b.at || a.seq - b.seq))
      this.arm(event);
    this.requestReconcile();
  }
  stop() {
    this.started = false;
    this.unsubscribe?.();
    for (const cancel of this.cancels.values()) cancel();
    this.cancels.clear();
  }
  // ---- actors and events ---------------------------------------------------------------------
  get currentActor() {
    return this.actor;
  }
  /** Runs `change` as the world itself (controllers, kubelets, timed events). */
  asWorld(change) {
    const previous = this.actor;
    this.actor = "world";
    try {
      return change();
    } finally {
      this.actor = previous;
    }
  }
  schedule(delayMs, body) {
    const event = {
      ...body,
      at: this.now + Math.max(0, Math.round(delayMs)),
      seq: this.state.eventSeq++
    };
    this.state.pending.push(event);
    if (this.started) this.arm(event);
    this.changed();
  }
  arm(event) {
    const cancel = this.clock.schedule(event.at, () => this.fire(event));
    this.cancels.set(event.seq, cancel);
  }
  fire(event) {
    this.cancels.delete(event.seq);
    const i = this.state.pending.findIndex((e) => e.seq === event.seq);
    if (i >= 0) this.state.pending.splice(i, 1);
    const handler = this.handlers.get(event.type);
    if (handler) this.asWorld(() => handler(this, event));
    this.worldDirty = true;
    this.requestReconcile();
    this.notifyListeners();
  }
  requestReconcile() {
    if (this.reconcileQueued) return;
    this.reconcileQueued = true;
    queueMicrotask(() => this.reconcile());
  }
  reconcile() {
    this.reconciling = true;
    try {
      this.reconcilePasses();
    } finally {
      this.reconciling = false;
    }
  }
  reconcilePasses() {
    for (let pass = 0; ; pass++) {
      this.reconcileQueued = false;
      if (this.dirty.size === 0 && !this.worldDirty) break;
      const changed = new Set(this.dirty);
      const world = this.worldDirty;
      this.dirty.clear();
      this.worldDirty = false;
      this.asWorld(() => {
        for (const r of this.reconcilers)
          if (world || r.watches.some((w) => changed.has(w))) r.run(this);
      });
      if (pass > MAX_RECONCILE_PASSES)
        throw new Error("simulated cluster: controllers did not settle (a bug in the simulator)");
    }
    this.reconcileQueued = false;
  }
  /** Something changed: persistence saves (coalesced by the listener). */
  changed() {
    if (!this.reconciling && this.started) {
      this.worldDirty = true;
      this.requestReconcile();
    }
    this.notifyListeners();
  }
  notifyListeners() {
    this.state.rng = this.rng.state;
    for (const listener of this.changeListeners) listener();
  }
  // ---- violations ----------------------------------------------------------------------------
  violation(invariant, message) {
    const v = { invariant, at: this.now, message };
    const last = this.state.violations.at(-1);
    if (last && last.invariant === invariant && last.message === message && last.at === v.at)
      return;
    this.state.violations.push(v);
    this.changed();
  }
  // ---- faults --------------------------------------------------------------------------------
  faults() {
    return this.context.scenario.faults;
  }
  /** Throws the scripted failure when a step-fails fault matches this call (and counts it). */
  failIfScripted(action, node) {
    const error = this.scriptedFailure(action, node);
    if (error) throw error;
  }
  scriptedFailure(action, node) {
    const faults = this.faults();
    for (let i = 0; i < faults.length; i++) {
      const f = faults[i];
      if (!f || f.type !== "step-fails" || f.action !== action) continue;
      if (f.node !== void 0 && f.node !== node) continue;
      const used = this.state.faultUses[i] ?? 0;
      if (f.times !== "always" && used >= f.times) continue;
      this.state.faultUses[i] = used + 1;
      this.changed();
      const transient = f.transient ?? f.times !== "always";
      return new DroverError(
        "failed",
        "SIMULATED_FAULT",
        f.message ?? `simulated ${action} failure${node ? ` on ${node}` : ""} (${used + 1}${f.times === "always" ? "" : `/${f.times}`})`,
        { details: { transient, fault: i, action, ...node ? { node } : {} } }
      );
    }
    return void 0;
  }
  /** A fault of this type for this node is scripted (and, when timed, in force now). */
  hasFault(type, match = () => true) {
    return this.faults().some((f, i) => {
      if (f.type !== type || !match(f)) return false;
      if ("fromSeconds" in f) return this.state.faultActive[i] === true;
      return true;
    });
  }
  // ---- lookups -------------------------------------------------------------------------------
  node(name2) {
    return this.context.inventory.nodes.find((n) => n.name === name2);
  }
  nodeByAddress(address) {
    return this.context.inventory.nodes.find((n) => n.address === address || n.name === address);
  }
  requireNodeByAddress(address) {
    const node = this.nodeByAddress(address);
    if (!node) throw unreachable(address, "no route to host");
    return node;
  }
  vm(node) {
    return this.state.vms[node];
  }
  /** The node's VM exists and runs a configured Talos. */
  vmRunning(node) {
    return this.state.vms[node]?.phase === "running";
  }
};
function unreachable(address, why = "connect: no route to host") {
  return new DroverError(
    "failed",
    "TALOS_UNREACHABLE",
    `rpc error: code = Unavailable desc = connection error: desc = "transport: Error while dialing: dial tcp ${address}:50000: ${why}"`,
    { details: { transient: true, address } }
  );
}

// src/adapters/simulated/ports/talos-port.ts
function rpcError(code, message, transient = false) {
  return new DroverError("failed", code, message, { details: { transient } });
}
var SimulatedTalosPort = class {
  constructor(world) {
    this.world = world;
  }
  world;
  async busy(seconds2, signal) {
    await this.world.clock.sleep(Math.round(seconds2 * 1e3), signal);
  }
  /** The configured, running machine at `address`, or the error talosctl would print. */
  running(address) {
    const node = this.world.requireNodeByAddress(address);
    const vm = this.world.vm(node.name);
    const lingering = this.world.state.lingering[node.name];
    if (lingering && vm?.phase !== "running") return { node, vm: lingering };
    if (!vm || vm.phase === "booting" || vm.phase === "rebooting" || vm.phase === "stopped" || vm.phase === "installing")
      throw unreachable(address);
    if (vm.phase === "maintenance")
      throw rpcError(
        "TALOS_X509",
        `rpc error: code = Unavailable desc = connection error: desc = "transport: authentication handshake failed: tls: failed to verify certificate: x509: certificate signed by unknown authority"`
      );
    return { node, vm };
  }
  async version(node) {
    await this.busy(this.world.durations["verify-version"] / 2);
    return this.running(node).vm.version;
  }
  async etcdMembers(node) {
    await this.busy(1);
    const { node: n } = this.running(node);
    const self = this.world.state.etcd.find((m) => m.node === n.name);
    if (!self || !self.healthy)
      throw rpcError("TALOS_ETCD", "rpc error: code = Unknown desc = etcdserver: no leader", true);
    return this.world.state.etcd.map((m) => ({ id: m.id, hostname: m.node, learner: false }));
  }
  async etcdStatus(nodes) {
    await this.busy(this.world.durations["gate-etcd"]);
    return nodes.map((address) => {
      try {
        const { node } = this.running(address);
        const member = this.world.state.etcd.find((m) => m.node === node.name);
        if (!member)
          return {
            node: address,
            memberId: "",
            healthy: false,
            error: "etcd is not running on this node (not a member)"
          };
        if (!member.healthy)
          return {
            node: address,
            memberId: member.id,
            healthy: false,
            error: "rpc error: code = DeadlineExceeded desc = context deadline exceeded"
          };
        return { node: address, memberId: member.id, healthy: true };
      } catch (error) {
        return { node: address, memberId: "", healthy: false, error: error.message };
      }
    });
  }
  async etcdLeave(node) {
    const n = this.world.requireNodeByAddress(node);
    this.world.failIfScripted("etcd-leave", n.name);
    this.running(node);
    const member = this.world.state.etcd.find((m) => m.node === n.name);
    if (!member)
      throw rpcError("TALOS_ETCD", "rpc error: code = Unknown desc = etcdserver: member not found");
    await this.busy(this.world.durations["etcd-leave"]);
    checkMemberRemoval(this.world, n.name, `etcd leave of ${n.name}`);
    this.world.state.etcd = this.world.state.etcd.filter((m) => m.id !== member.id);
    checkQuorum(this.world, `etcd leave of ${n.name}`);
    this.world.changed();
  }
  async etcdRemoveMember(viaNode, memberId) {
    await this.busy(2);
    const { node: via } = this.running(viaNode);
    const self = this.world.state.etcd.find((m) => m.node === via.name);
    if (!self?.healthy)
      throw rpcError("TALOS_ETCD", "rpc error: code = Unknown desc = etcdserver: no leader", true);
    const member = this.world.state.etcd.find((m) => m.id === memberId.toLowerCase());
    if (!member)
      throw rpcError("TALOS_ETCD", "rpc error: code = Unknown desc = etcdserver: member not found");
    checkMemberRemoval(this.world, member.node, `etcd remove-member ${memberId}`);
    this.world.state.etcd = this.world.state.etcd.filter((m) => m.id !== member.id);
    checkQuorum(this.world, `etcd remove-member ${memberId}`);
    this.world.changed();
  }
  async probe(address) {
    await this.busy(1);
    const node = this.world.nodeByAddress(address);
    if (!node) return "unreachable";
    if (this.world.scriptedFailure("wait-maintenance", node.name)) return "unreachable";
    const vm = this.world.vm(node.name);
    const lingering = this.world.state.lingering[node.name];
    if (lingering) return "x509";
    if (!vm) return "unreachable";
    if (vm.phase === "maintenance") return "maintenance";
    if (vm.phase === "running") return "configured";
    return "unreachable";
  }
  async applyConfig(address, config, options) {
    const node = this.world.requireNodeByAddress(address);
    this.world.failIfScripted("apply-config", node.name);
    const vm = this.world.vm(node.name);
    if (this.world.state.lingering[node.name])
      throw rpcError(
        "TALOS_X509",
        'rpc error: code = Unavailable desc = connection error: desc = "transport: authentication handshake failed: remote error: tls: certificate required"'
      );
    if (!vm || vm.phase === "booting" || vm.phase === "rebooting" || vm.phase === "stopped" || vm.phase === "installing")
      throw unreachable(address);
    if (options.insecure && vm.phase !== "maintenance")
      throw rpcError(
        "TALOS_TLS",
        'rpc error: code = Unavailable desc = connection error: desc = "transport: authentication handshake failed: remote error: tls: certificate required"'
      );
    if (!options.insecure && vm.phase === "maintenance")
      throw rpcError(
        "TALOS_X509",
        'rpc error: code = Unavailable desc = connection error: desc = "transport: authentication handshake failed: tls: failed to verify certificate: x509: certificate signed by unknown authority"'
      );
    validateMachineConfig(config, node, this.world.state.secrets.tokens);
    await this.busy(this.world.durations["apply-config"], options.signal);
    const current = this.world.vm(node.name);
    if (!current || current.id !== vm.id) throw unreachable(address);
    if (vm.phase === "maintenance") configure(this.world, current, config);
    else current.gpuDriver = /nvidia/.test(config) || current.gpuDriver;
    this.world.changed();
  }
  async upgrade(node, options) {
    const n = this.world.requireNodeByAddress(node);
    this.world.failIfScripted("talos-upgrade", n.name);
    const { vm } = this.running(node);
    const version2 = /:v?(\d+\.\d+\.\d+)$/.exec(options.image)?.[1];
    if (!version2)
      throw rpcError(
        "TALOS_UPGRADE",
        `"${node}": rpc error: code = Unknown desc = error validating installer image "${options.image}": invalid reference format`
      );
    if (n.role === "controlplane") {
      const unhealthy = this.world.state.etcd.find((m) => m.node !== n.name && !m.healthy);
      if (unhealthy)
        throw rpcError(
          "TALOS_UPGRADE",
          `"${node}": rpc error: code = Unknown desc = error validating etcd for upgrade: etcd member ${unhealthy.id} is not healthy; all members must be healthy to perform an upgrade: context deadline exceeded`
        );
    }
    const wasOut = outOfService(this.world, n.name);
    vm.phase = "rebooting";
    for (const m of this.world.state.etcd) if (m.node === n.name) m.healthy = false;
    if (!wasOut) checkTakenOut(this.world, n, `talos upgrade of ${n.name}`);
    else checkTakenOut(this.world, n, `talos upgrade of ${n.name}`, true);
    machineStopped(this.world, n.name, vm.id);
    this.world.changed();
    await this.busy(
      this.world.rng.jitter(this.world.durations["talos-upgrade"] * 0.6),
      options.signal
    );
    const current = this.world.vm(n.name);
    if (!current || current.id !== vm.id) throw unreachable(node);
    current.version = version2;
    current.phase = "installing";
    this.world.schedule(0, { type: "vm-configured", node: n.name, vmId: current.id });
    await this.world.clock.sleep(
      this.world.rng.jitter(this.world.ms("talos-upgrade", 0.4)),
      options.signal
    );
    if (this.world.vm(n.name)?.phase !== "running")
      throw rpcError(
        "TALOS_UPGRADE",
        `"${node}": unavailable, retrying...
1 error occurred:
	* timeout`,
        true
      );
  }
  async upgradeKubernetes(options) {
    const n = this.world.requireNodeByAddress(options.node);
    if (n.role !== "controlplane")
      throw rpcError(
        "TALOS_K8S_UPGRADE",
        `error: node ${options.node} is not a control plane node`
      );
    if (!options.dryRun) this.world.failIfScripted("k8s-upgrade", void 0);
    this.running(options.node);
    const from = this.world.state.kubernetesVersion;
    const [fMaj, fMin] = from.split(".").map(Number);
    const [tMaj, tMin] = options.to.split(".").map(Number);
    const fromLine = `${fMaj}.${fMin}`;
    const toLine = `${tMaj}.${tMin}`;
    if (fMaj !== tMaj || (tMin ?? 0) < (fMin ?? 0) || (tMin ?? 0) > (fMin ?? 0) + 1)
      throw rpcError(
        "TALOS_K8S_UPGRADE",
        `unsupported upgrade path ${fromLine}->${toLine} (from "${from}" to "${options.to}")`
      );
    const lines = [
      `automatically detected the lowest Kubernetes version ${from}`,
      `discovered controlplane nodes ${JSON.stringify(this.world.context.inventory.nodes.filter((x) => x.role === "controlplane").map((x) => x.address))}`,
      `discovered worker nodes ${JSON.stringify(this.world.context.inventory.nodes.filter((x) => x.role === "worker").map((x) => x.address))}`
    ];
    for (const component of [
      "kube-apiserver",
      "kube-controller-manager",
      "kube-scheduler",
      "kube-proxy",
      "kubelet"
    ]) {
      lines.push(`updating "${component}" to version "${options.to}"`);
      if (options.dryRun) lines.push(" > skipped in dry-run");
    }
    await this.busy(
      this.world.durations["k8s-upgrade"] * (options.dryRun ? 0.05 : 1),
      options.signal
    );
    if (!options.dryRun) {
      this.world.state.kubernetesVersion = options.to;
      this.world.asWorld(() => {
        for (const obj of this.world.store.list(R.nodes))
          this.world.store.mutate(R.nodes, void 0, obj.metadata.name, (x) => {
            const st = x.status ??= {};
            st.nodeInfo = { ...st.nodeInfo, kubeletVersion: `v${options.to}` };
          });
      });
      this.world.changed();
    }
    lines.push(" > processing manifest v1.ServiceAccount/coredns", "  < no changes");
    return `${lines.join("\n")}
`;
  }
};

// src/core/durations.ts
var DEFAULT_STEP_DURATIONS = {
  "rebuild-template": 180,
  "verify-templates": 5,
  "gate-etcd": 5,
  "gate-api-stable": 15,
  "gate-health": 5,
  "storage-noout-set": 2,
  "storage-noout-unset": 2,
  cordon: 1,
  drain: 60,
  "backup-state": 10,
  "etcd-leave": 10,
  "replace-vm": 300,
  "wait-maintenance": 240,
  "apply-config": 20,
  "talos-upgrade": 240,
  "wait-ready": 150,
  "verify-version": 2,
  "wait-etcd-rejoin": 30,
  "wait-gpu": 60,
  uncordon: 1,
  "post-checks": 30,
  "k8s-upgrade": 600,
  "validate-cluster": 30
};

// src/core/policy.ts
var DEFAULT_POLICY = {
  drain: {
    gracefulSeconds: 240,
    forceAfterGrace: true,
    deleteEmptyDirData: true,
    deleteUnmanagedPods: false,
    podTerminationTimeoutSeconds: 120
  },
  disruption: {
    maxUnavailableWorkers: 1,
    maxUnavailableDomains: 1,
    templateRebuildConcurrency: 2,
    petsBatchSize: 3
  },
  timeouts: {
    gateSeconds: 600,
    nodeReadySeconds: 900,
    maintenanceModeSeconds: 600,
    etcdRejoinSeconds: 600,
    terraformSeconds: 1800,
    talosUpgradeSeconds: 1800,
    apiServerStablePasses: 3
  },
  retry: { attempts: 3, initialBackoffSeconds: 5, maxBackoffSeconds: 60 },
  cephNoout: true
};

// src/adapters/simulated/scenario/derive.ts
function templateKey(host, flavor) {
  return `${host}-${flavor}`;
}
function templateAddress(host, flavor) {
  return `module.template_${host}_${flavor}`;
}
function nodeModuleAddress(node) {
  if (node.terraformAddress) return node.terraformAddress;
  const module = node.role === "controlplane" ? "control_plane_nodes" : "worker_nodes";
  return `module.${module}["${node.name}"]`;
}
function deriveTemplates(s) {
  const out = {};
  for (const t of s.templates) {
    out[templateKey(t.host, t.flavor)] = {
      address: t.address ?? templateAddress(t.host, t.flavor),
      host: t.host,
      flavor: t.flavor,
      schematic: s.schematics[t.schematic] ?? t.schematic
    };
  }
  return out;
}
function deriveInventory(s) {
  const templates = deriveTemplates(s);
  const nodes = s.nodes.map((n) => {
    const key2 = templateKey(n.host, n.flavor);
    return {
      name: n.name,
      role: n.role,
      host: n.host,
      address: n.address,
      terraformAddresses: [nodeModuleAddress(n)],
      template: key2,
      schematic: templates[key2]?.schematic ?? "",
      platform: n.platform,
      patches: [...s.patchSets.global, ...s.patchSets[n.role], ...n.patches],
      machineConfig: n.role,
      gpu: n.gpu,
      ...n.osd || n.storageDomain ? {
        storage: {
          osd: n.osd,
          ...n.storageDomain ? { failureDomain: n.storageDomain } : {}
        }
      } : {},
      ...Object.keys(n.labels).length > 0 ? { labels: { ...n.labels } } : {}
    };
  });
  const patches = {};
  for (const [id, content] of Object.entries(s.patches)) patches[id] = { id, content };
  return {
    cluster: s.cluster,
    nodes,
    templates,
    patches,
    machineConfigs: {
      controlplane: { kind: "inline-test", ref: "controlplane" },
      worker: { kind: "inline-test", ref: "worker" }
    },
    expectedEtcdMembers: nodes.filter((n) => n.role === "controlplane").length
  };
}
function derivePolicy(s) {
  const o = s.policy;
  return {
    drain: { ...DEFAULT_POLICY.drain, ...o.drain },
    disruption: { ...DEFAULT_POLICY.disruption, ...o.disruption },
    timeouts: { ...DEFAULT_POLICY.timeouts, ...o.timeouts },
    retry: { ...DEFAULT_POLICY.retry, ...o.retry },
    cephNoout: o.cephNoout ?? DEFAULT_POLICY.cephNoout
  };
}
function deriveDurations(s) {
  return { ...DEFAULT_STEP_DURATIONS, ...s.durations };
}

// src/adapters/simulated/virtual-clock.ts
var IN_FLIGHT = /^(FSReq|FileHandleCloseReq|GetAddrInfoReqWrap|WriteWrap|ShutdownWrap|ConnectWrap)/;
var IDLE_TURNS = 3;
var MAX_WAIT_TURNS = 2e4;
var VirtualClock = class {
  current;
  seq = 0;
  heap = [];
  running = false;
  stopped = false;
  idleDelayMs;
  advanceListeners = [];
  constructor(options = {}) {
    this.current = options.startMs ?? Date.UTC(2026, 0, 1);
    this.idleDelayMs = options.idleDelayMs ?? 0;
  }
  now() {
    return this.current;
  }
  /** Number of timers waiting. */
  get pending() {
    return this.heap.length;
  }
  sleep(ms, signal) {
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    return new Promise((resolve, reject) => {
      let cancel;
      const onAbort = () => {
        cancel?.();
        reject(abortReason(signal));
      };
      cancel = this.schedule(this.current + Math.max(0, ms), () => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      });
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }
  /** Runs `fire` when the clock reaches `atMs` (now, if in the past). Returns a cancel function. */
  schedule(atMs, fire) {
    const timer = { at: Math.max(atMs, this.current), seq: this.seq++, fire };
    this.push(timer);
    this.kick();
    return () => this.remove(timer);
  }
  /** Called after each timer fired (for persistence of the clock's time). */
  onAdvance(listener) {
    this.advanceListeners.push(listener);
  }
  /** Stops advancing for good; pending timers never fire. */
  stop() {
    this.stopped = true;
    this.heap.length = 0;
  }
  kick() {
    if (this.running || this.stopped) return;
    this.running = true;
    void this.loop();
  }
  async loop() {
    try {
      while (!this.stopped && this.heap.length > 0) {
        await this.waitForIdle();
        const next = this.pop();
        if (!next || this.stopped) break;
        const moved = next.at > this.current;
        this.current = Math.max(this.current, next.at);
        next.fire();
        if (moved) for (const listener of this.advanceListeners) listener();
      }
    } finally {
      this.running = false;
    }
  }
  async waitForIdle() {
    let quiet = 0;
    let turns = 0;
    while (quiet < IDLE_TURNS && turns < MAX_WAIT_TURNS) {
      await new Promise((r) => setImmediate(r));
      turns += 1;
      quiet = inFlight() ? 0 : quiet + 1;
    }
    if (this.idleDelayMs > 0) {
      await new Promise((r) => setTimeout(r, this.idleDelayMs));
      for (let i = 0; i < IDLE_TURNS; i++) await new Promise((r) => setImmediate(r));
    }
  }
  push(timer) {
    const h = this.heap;
    h.push(timer);
    let i = h.length - 1;
    while (i > 0) {
      const parent = i - 1 >> 1;
      if (!before(h[i], h[parent])) break;
      [h[i], h[parent]] = [h[parent], h[i]];
      i = parent;
    }
  }
  pop() {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last) {
      h[0] = last;
      this.siftDown(0);
    }
    return top;
  }
  siftDown(start) {
    const h = this.heap;
    let i = start;
    for (; ; ) {
      const l = 2 * i + 1;
      const r = l + 1;
      let smallest = i;
      if (l < h.length && before(h[l], h[smallest])) smallest = l;
      if (r < h.length && before(h[r], h[smallest])) smallest = r;
      if (smallest === i) return;
      [h[i], h[smallest]] = [h[smallest], h[i]];
      i = smallest;
    }
  }
  remove(timer) {
    const i = this.heap.indexOf(timer);
    if (i < 0) return;
    const last = this.heap.pop();
    if (i < this.heap.length) {
      this.heap[i] = last;
      this.siftDown(i);
      let j = i;
      while (j > 0) {
        const parent = j - 1 >> 1;
        if (!before(this.heap[j], this.heap[parent])) break;
        [this.heap[j], this.heap[parent]] = [this.heap[parent], this.heap[j]];
        j = parent;
      }
    }
  }
};
function before(a, b) {
  return a.at < b.at || a.at === b.at && a.seq < b.seq;
}
function inFlight() {
  return process.getActiveResourcesInfo().some((kind) => IN_FLIGHT.test(kind));
}
function abortReason(signal) {
  return signal.reason ?? new Error("aborted");
}

// src/adapters/simulated/world/persistence.ts
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
function readWorldFile(path) {
  if (!existsSync(path)) return void 0;
  let parsed;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new DroverError("input", "WORLD_FILE_INVALID", `World file ${path} is not valid JSON`, {
      cause: error,
      hint: "Delete it to start a fresh simulated world."
    });
  }
  const file = parsed;
  if (!file.world || file.world.format !== 1 || !file.store || !Array.isArray(file.store.objects))
    throw new DroverError(
      "input",
      "WORLD_FILE_INVALID",
      `World file ${path} is not a simulated world (format 1)`,
      {
        hint: "Delete it to start a fresh simulated world."
      }
    );
  return file;
}
function writeWorldFile(path, file) {
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, JSON.stringify(file));
  renameSync(temp, path);
}
var WorldSaver = class {
  constructor(path, snapshot) {
    this.path = path;
    this.snapshot = snapshot;
  }
  path;
  snapshot;
  queued = false;
  closed = false;
  request() {
    if (this.queued || this.closed) return;
    this.queued = true;
    queueMicrotask(() => {
      this.queued = false;
      if (!this.closed) this.saveNow();
    });
  }
  saveNow() {
    writeWorldFile(this.path, this.snapshot());
  }
  close() {
    this.closed = true;
  }
};

// src/adapters/simulated/world/seed.ts
import { createHash as createHash2 } from "node:crypto";
function scenarioHash(scenario) {
  return createHash2("sha256").update(JSON.stringify(scenario)).digest("hex").slice(0, 16);
}
function initialState(context, seed, startMs) {
  const rng = SeededRandom.fromSeed(seed);
  const { scenario, inventory } = context;
  const templates = {};
  let templateId = 9e3;
  for (const [key2, t] of Object.entries(inventory.templates))
    templates[key2] = {
      key: key2,
      address: t.address,
      host: t.host,
      flavor: t.flavor,
      schematic: t.schematic,
      version: context.talos.from,
      id: String(templateId++)
    };
  const vms = {};
  let nextVmId = 100;
  for (const node of inventory.nodes)
    vms[node.name] = {
      id: String(nextVmId++),
      node: node.name,
      templateKey: node.template,
      version: context.talos.from,
      schematic: node.schematic,
      phase: "running",
      gpuDriver: node.gpu,
      createdAt: startMs - 30 * 864e5
    };
  const etcd = inventory.nodes.filter((n) => n.role === "controlplane").map((n) => ({ id: rng.hex(16), node: n.name, vmId: vms[n.name]?.id ?? "", healthy: true }));
  const tokens = generateSecrets(rng);
  return {
    format: 1,
    scenario: scenario.name,
    scenarioHash: scenarioHash(scenario),
    seed,
    rng: rng.state,
    now: startMs,
    eventSeq: 0,
    nextVmId,
    vms,
    lingering: {},
    templates,
    terraform: {
      serial: 42,
      lineage: `${rng.hex(8)}-${rng.hex(4)}-${rng.hex(4)}-${rng.hex(4)}-${rng.hex(12)}`,
      lock: null,
      plans: {},
      nextPlan: 1
    },
    s3: {},
    verifiedBackupSerial: null,
    etcd,
    noout: [],
    kubernetesVersion: context.kubernetes.from,
    vmReplacements: Object.fromEntries(inventory.nodes.map((n) => [n.name, 0])),
    faultUses: scenario.faults.map(() => 0),
    faultActive: scenario.faults.map(() => false),
    pending: [],
    podTimers: {},
    violations: [],
    secrets: { tokens, served: [] },
    cordonedAt: {},
    ceph: { downSince: {}, recoveringUntil: 0, outMarked: [] }
  };
}
function seedStore(world) {
  const { scenario, inventory } = world.context;
  const store = world.store;
  const namespaces = /* @__PURE__ */ new Set([
    "default",
    "kube-system",
    "kube-node-lease",
    "rook-ceph",
    "flux-system",
    "drover-system"
  ]);
  const w = scenario.workloads;
  for (const x of [...w.deployments, ...w.statefulsets, ...w.daemonsets, ...w.helmReleases])
    namespaces.add(x.namespace);
  for (const ns of [...namespaces].sort()) store.create(R.namespaces, namespaceObject(ns));
  for (const node of inventory.nodes)
    store.create(
      R.nodes,
      newNodeObject(world, node, world.context.talos.from, world.context.kubernetes.from)
    );
  for (const node of inventory.nodes) {
    if (!node.gpu) continue;
    store.mutate(R.nodes, void 0, node.name, (n) => {
      n.metadata.labels = { ...n.metadata.labels ?? {}, "nvidia.com/gpu.present": "true" };
      const st = n.status ??= {};
      st.allocatable = { ...st.allocatable, "nvidia.com/gpu": "1" };
      st.capacity = { ...st.capacity, "nvidia.com/gpu": "1" };
    });
  }
  const grace = Math.max(1, Math.round(world.durations.drain / 2));
  const deployments = [];
  if (w.coredns.replicas > 0)
    deployments.push({
      namespace: "kube-system",
      name: "coredns",
      replicas: w.coredns.replicas,
      placement: "all",
      spread: true,
      emptyDir: false,
      grace: 30
    });
  for (const d of w.deployments)
    deployments.push({
      namespace: d.namespace,
      name: d.name,
      replicas: d.replicas,
      placement: d.on,
      spread: d.spreadAcrossNodes,
      emptyDir: d.emptyDir,
      grace: d.terminationGracePeriodSeconds ?? grace,
      ...d.pdb ? { pdb: d.pdb } : {}
    });
  for (const d of deployments) {
    const dep = store.create(R.deployments, workloadObject("Deployment", d));
    store.create(
      R.replicasets,
      replicaSetObject(
        dep,
        world.rng.hex(10).replace(/[0-9]/g, (c2) => "bcdfghjklm"[Number(c2)] ?? "x")
      )
    );
    if (d.pdb)
      store.create(R.pdbs, pdbObject(d.namespace, d.name, d.pdb));
  }
  for (const s of w.statefulsets) {
    store.create(
      R.statefulsets,
      workloadObject("StatefulSet", {
        namespace: s.namespace,
        name: s.name,
        replicas: s.replicas,
        placement: s.on,
        spread: s.spreadAcrossNodes,
        emptyDir: s.emptyDir,
        grace: s.terminationGracePeriodSeconds ?? grace
      })
    );
    if (s.pdb) store.create(R.pdbs, pdbObject(s.namespace, s.name, s.pdb));
  }
  for (const d of w.daemonsets)
    store.create(
      R.daemonsets,
      workloadObject("DaemonSet", {
        namespace: d.namespace,
        name: d.name,
        placement: d.on,
        spread: false,
        emptyDir: false,
        grace: 10
      })
    );
  if (scenario.storage.ceph) store.create(R.cephclusters, cephClusterObject());
  for (const h of w.helmReleases)
    store.create(R.helmreleases, helmReleaseObject(h.namespace, h.name, h.ready));
  world.asWorld(() => {
    reconcileWorkloads(world);
    for (const pod of store.list(R.pods)) {
      if (!pod.spec?.nodeName) continue;
      store.mutate(R.pods, pod.metadata.namespace, pod.metadata.name, (p) => {
        const at = p.metadata.creationTimestamp;
        p.status = {
          phase: "Running",
          startTime: at,
          conditions: ["PodScheduled", "Initialized", "ContainersReady", "Ready"].map((type) => ({
            type,
            status: "True",
            lastTransitionTime: at
          }))
        };
      });
    }
  });
  world.state.podTimers = {};
  world.state.pending = world.state.pending.filter((e) => e.type !== "pod-running");
}

// src/adapters/simulated/scenario/load.ts
import { parseDocument } from "yaml";

// src/adapters/simulated/scenario/reference.ts
var HOSTS = ["baldar", "heimdall", "odin", "thor"];
var GPU_WORKERS = /* @__PURE__ */ new Set(["k8s-work-4", "k8s-work-10"]);
var BASE_SCHEMATIC = "376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba";
var GPU_SCHEMATIC = "9e4c1b0a3f2d8e7c6b5a49382716f5e4d3c2b1a09f8e7d6c5b4a392817f6e5d4";
var NVIDIA_PATCH = `machine:
  kernel:
    modules:
      - name: nvidia
      - name: nvidia_uvm
      - name: nvidia_drm
      - name: nvidia_modeset
  sysctls:
    net.core.bpf_jit_harden: 1
`;
function referenceScenarioInput() {
  const nodes = [];
  ["baldar", "heimdall", "odin"].forEach(
    (host, i) => nodes.push({
      name: `k8s-ctrl-${i + 1}`,
      role: "controlplane",
      host,
      address: `10.0.10.${11 + i}`
    })
  );
  HOSTS.forEach((host, h) => {
    for (let k = 1; k <= 3; k++) {
      const n = h * 3 + k;
      const name2 = `k8s-work-${n}`;
      const gpu = GPU_WORKERS.has(name2);
      nodes.push({
        name: name2,
        role: "worker",
        host,
        address: `10.0.20.${20 + n}`,
        ...gpu ? { flavor: "gpu", gpu: true, patches: ["nvidia-gpu"] } : {},
        osd: true
      });
    }
  });
  return {
    name: "reference",
    description: "The reference cluster: 3 control plane nodes, 12 workers on 4 Proxmox hosts, 2 GPU workers, Rook-Ceph, CoreDNS, PDB-guarded deployments, Flux.",
    cluster: "homelab",
    upgrade: {
      kind: "cattle",
      talos: { from: "1.10.8", to: "1.11.0" },
      kubernetes: { from: "1.33.5" }
    },
    hosts: [...HOSTS],
    schematics: { base: BASE_SCHEMATIC, gpu: GPU_SCHEMATIC },
    templates: [
      ...HOSTS.map((host) => ({ host, flavor: "base", schematic: "base" })),
      { host: "heimdall", flavor: "gpu", schematic: "gpu" },
      { host: "thor", flavor: "gpu", schematic: "gpu" }
    ],
    patches: { "nvidia-gpu": NVIDIA_PATCH },
    nodes,
    storage: { ceph: true, toleratedDomainsDown: 1 },
    workloads: {
      coredns: { replicas: 2 },
      deployments: [
        {
          namespace: "apps",
          name: "web",
          replicas: 3,
          pdb: { minAvailable: 2 },
          spreadAcrossNodes: true
        },
        { namespace: "apps", name: "api", replicas: 2, pdb: { maxUnavailable: 1 } },
        { namespace: "monitoring", name: "grafana", replicas: 1 }
      ],
      statefulsets: [
        {
          namespace: "databases",
          name: "postgres",
          replicas: 3,
          pdb: { minAvailable: 2 },
          spreadAcrossNodes: true
        }
      ],
      daemonsets: [
        { namespace: "kube-system", name: "kube-proxy", on: "all" },
        { namespace: "kube-system", name: "cilium", on: "all" },
        { namespace: "rook-ceph", name: "rook-ceph-osd", on: "osd" },
        { namespace: "monitoring", name: "node-exporter", on: "all" },
        { namespace: "gpu-operator", name: "nvidia-device-plugin", on: "gpu" }
      ],
      helmReleases: [
        { namespace: "flux-system", name: "cilium" },
        { namespace: "flux-system", name: "rook-ceph" },
        { namespace: "flux-system", name: "rook-ceph-cluster" },
        { namespace: "flux-system", name: "kube-prometheus-stack" }
      ]
    }
  };
}
function referenceScenario() {
  return parseScenario(referenceScenarioInput(), "reference");
}

// src/adapters/simulated/scenario/schema.ts
import { z } from "zod";

// src/core/plan.ts
var UPGRADE_KINDS = ["cattle", "pets", "kubernetes"];
var STEP_ACTIONS = [
  "rebuild-template",
  "verify-templates",
  "gate-etcd",
  "gate-api-stable",
  "gate-health",
  "storage-noout-set",
  "storage-noout-unset",
  "cordon",
  "drain",
  "backup-state",
  "etcd-leave",
  "replace-vm",
  "wait-maintenance",
  "apply-config",
  "talos-upgrade",
  "wait-ready",
  "verify-version",
  "wait-etcd-rejoin",
  "wait-gpu",
  "uncordon",
  "post-checks",
  "k8s-upgrade",
  "validate-cluster"
];

// src/adapters/simulated/scenario/schema.ts
var name = z.string().regex(
  /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/,
  "must be a DNS-1123 name (lower case, digits, - and .)"
);
var version = z.string().regex(/^v?\d+\.\d+\.\d+$/, "must be a version like 1.11.0").transform((v) => v.replace(/^v/, ""));
var seconds = z.number().nonnegative();
var nodeSchema = z.strictObject({
  name,
  role: z.enum(NODE_ROLES),
  host: name,
  address: z.string().min(1),
  /** Template flavour on the node's host: base, gpu, ... */
  flavor: z.string().default("base"),
  /** Terraform module address; defaults to module.control_plane_nodes["<name>"] / module.worker_nodes["<name>"]. */
  terraformAddress: z.string().optional(),
  gpu: z.boolean().default(false),
  osd: z.boolean().default(false),
  storageDomain: z.string().optional(),
  /** Node-specific patch ids, after the global and role patches. */
  patches: z.array(z.string()).default([]),
  labels: z.record(z.string(), z.string()).default({}),
  platform: z.enum(INSTALLER_PLATFORMS).default("nocloud")
});
var templateSchema = z.strictObject({
  host: name,
  flavor: z.string(),
  /** Key of `schematics`. */
  schematic: z.string(),
  address: z.string().optional()
});
var pdbSchema = z.union([
  z.strictObject({ minAvailable: z.union([z.number().int().nonnegative(), z.string()]) }),
  z.strictObject({ maxUnavailable: z.union([z.number().int().nonnegative(), z.string()]) })
]);
var placement = z.enum(["workers", "all", "controlplane", "osd", "gpu"]);
var deploymentSchema = z.strictObject({
  namespace: name.default("default"),
  name,
  replicas: z.number().int().min(0),
  pdb: pdbSchema.optional(),
  /** Replicas must run on different nodes (required pod anti-affinity). */
  spreadAcrossNodes: z.boolean().default(false),
  on: placement.default("workers"),
  emptyDir: z.boolean().default(false),
  terminationGracePeriodSeconds: z.number().int().nonnegative().optional()
});
var daemonSetSchema = z.strictObject({
  namespace: name.default("default"),
  name,
  on: placement.default("all")
});
var helmReleaseSchema = z.strictObject({
  namespace: name.default("flux-system"),
  name,
  ready: z.boolean().default(true)
});
var FAULTABLE_ACTIONS = [
  "rebuild-template",
  "replace-vm",
  "backup-state",
  "apply-config",
  "talos-upgrade",
  "k8s-upgrade",
  "cordon",
  "uncordon",
  "drain",
  "etcd-leave",
  "storage-noout-set",
  "storage-noout-unset",
  "wait-maintenance",
  "wait-ready"
];
var stepFails = z.strictObject({
  type: z.literal("step-fails"),
  action: z.enum(FAULTABLE_ACTIONS),
  node: z.string().optional(),
  times: z.union([z.number().int().positive(), z.literal("always")]).default(1),
  /** Default: true for a number of times, false for always. */
  transient: z.boolean().optional(),
  message: z.string().optional()
});
var faultSchema = z.discriminatedUnion("type", [
  stepFails,
  z.strictObject({ type: z.literal("never-ready"), node: z.string() }),
  z.strictObject({
    type: z.literal("pdb-blocks"),
    namespace: z.string().default("default"),
    name: z.string()
  }),
  z.strictObject({
    type: z.literal("etcd-unhealthy"),
    node: z.string(),
    fromSeconds: seconds.default(0),
    untilSeconds: seconds.optional()
  }),
  z.strictObject({
    type: z.literal("s3-unavailable"),
    fromSeconds: seconds.default(0),
    untilSeconds: seconds.optional()
  }),
  z.strictObject({
    type: z.literal("plan-extra-resource"),
    node: z.string(),
    address: z.string().optional()
  }),
  z.strictObject({ type: z.literal("old-vm-lingers"), node: z.string() }),
  z.strictObject({
    type: z.literal("node-down"),
    node: z.string(),
    fromSeconds: seconds.default(0),
    untilSeconds: seconds.optional()
  })
]);
var durationsSchema = z.partialRecord(z.enum(STEP_ACTIONS), seconds);
var policySchema = z.strictObject({
  drain: z.strictObject({
    gracefulSeconds: seconds,
    forceAfterGrace: z.boolean(),
    deleteEmptyDirData: z.boolean(),
    deleteUnmanagedPods: z.boolean(),
    podTerminationTimeoutSeconds: seconds
  }).partial().optional(),
  disruption: z.strictObject({
    maxUnavailableWorkers: z.number().int().positive(),
    maxUnavailableDomains: z.number().int().positive(),
    templateRebuildConcurrency: z.number().int().positive(),
    petsBatchSize: z.number().int().positive()
  }).partial().optional(),
  timeouts: z.strictObject({
    gateSeconds: seconds,
    nodeReadySeconds: seconds,
    maintenanceModeSeconds: seconds,
    etcdRejoinSeconds: seconds,
    terraformSeconds: seconds,
    talosUpgradeSeconds: seconds,
    apiServerStablePasses: z.number().int().positive()
  }).partial().optional(),
  retry: z.strictObject({
    attempts: z.number().int().positive(),
    initialBackoffSeconds: seconds,
    maxBackoffSeconds: seconds
  }).partial().optional(),
  cephNoout: z.boolean().optional()
});
var scenarioSchema = z.strictObject({
  name: z.string().min(1),
  description: z.string().optional(),
  cluster: name.default("homelab"),
  upgrade: z.strictObject({
    kind: z.enum(UPGRADE_KINDS).default("cattle"),
    talos: z.strictObject({ from: version, to: version }),
    kubernetes: z.strictObject({ from: version, to: version.optional() })
  }),
  hosts: z.array(name).min(1),
  /** Image Factory schematic ids by key. */
  schematics: z.record(z.string(), z.string().regex(/^[0-9a-f]{64}$/, "must be 64 hex digits")),
  templates: z.array(templateSchema).default([]),
  /** Talos machine-config patches by id (YAML text). */
  patches: z.record(z.string(), z.string()).default({}),
  /** Patch ids for every node, and per role, applied before a node's own patches. */
  patchSets: z.strictObject({
    global: z.array(z.string()).default([]),
    controlplane: z.array(z.string()).default([]),
    worker: z.array(z.string()).default([])
  }).default({ global: [], controlplane: [], worker: [] }),
  nodes: z.array(nodeSchema).min(1),
  storage: z.strictObject({
    ceph: z.boolean().default(true),
    /** Failure domains Ceph survives losing at once (replication). */
    toleratedDomainsDown: z.number().int().nonnegative().default(1)
  }).default({ ceph: true, toleratedDomainsDown: 1 }),
  workloads: z.strictObject({
    coredns: z.strictObject({ replicas: z.number().int().min(0) }).default({ replicas: 2 }),
    deployments: z.array(deploymentSchema).default([]),
    statefulsets: z.array(deploymentSchema).default([]),
    daemonsets: z.array(daemonSetSchema).default([]),
    helmReleases: z.array(helmReleaseSchema).default([])
  }).default({
    coredns: { replicas: 2 },
    deployments: [],
    statefulsets: [],
    daemonsets: [],
    helmReleases: []
  }),
  policy: policySchema.default({}),
  durations: durationsSchema.default({}),
  faults: z.array(faultSchema).default([])
});

// src/adapters/simulated/scenario/load.ts
function parseScenario(data, source) {
  const result = scenarioSchema.safeParse(data);
  if (!result.success) throw invalid(source, result.error.issues.map(describeIssue));
  const problems = crossCheck(result.data);
  if (problems.length > 0) throw invalid(source, problems);
  return result.data;
}
function invalid(source, problems) {
  return new DroverError(
    "input",
    "SCENARIO_INVALID",
    `Scenario ${source} is invalid:
${problems.map((p) => `  - ${p}`).join("\n")}`,
    {
      hint: "Fix the named fields; docs/scenarios.md describes the format and examples/ has samples.",
      details: { source, problems }
    }
  );
}
function fieldPath(path) {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out === "" ? String(part) : `.${String(part)}`;
  }
  return out === "" ? "(root)" : out;
}
function describeIssue(issue) {
  return `${fieldPath(issue.path)}: ${issue.message}`;
}
function crossCheck(s) {
  const problems = [];
  const names = /* @__PURE__ */ new Set();
  const templateKeys = new Set(s.templates.map((t) => `${t.host}/${t.flavor}`));
  const knownPatch = (id) => s.patches[id] !== void 0;
  s.templates.forEach((t, i) => {
    if (!s.hosts.includes(t.host)) problems.push(`templates[${i}].host: unknown host "${t.host}"`);
    if (s.schematics[t.schematic] === void 0)
      problems.push(`templates[${i}].schematic: unknown schematic "${t.schematic}"`);
  });
  if (templateKeys.size !== s.templates.length)
    problems.push("templates: a host has two templates of the same flavor");
  s.nodes.forEach((n, i) => {
    if (names.has(n.name)) problems.push(`nodes[${i}].name: "${n.name}" is listed twice`);
    names.add(n.name);
    if (!s.hosts.includes(n.host)) problems.push(`nodes[${i}].host: unknown host "${n.host}"`);
    if (!templateKeys.has(`${n.host}/${n.flavor}`))
      problems.push(`nodes[${i}].flavor: no "${n.flavor}" template on host ${n.host}`);
    n.patches.forEach((p, j) => {
      if (!knownPatch(p)) problems.push(`nodes[${i}].patches[${j}]: unknown patch "${p}"`);
    });
  });
  for (const set of ["global", "controlplane", "worker"])
    s.patchSets[set].forEach((p, j) => {
      if (!knownPatch(p)) problems.push(`patchSets.${set}[${j}]: unknown patch "${p}"`);
    });
  if (!s.nodes.some((n) => n.role === "controlplane"))
    problems.push("nodes: at least one controlplane node is required");
  const guarded = [...s.workloads.deployments, ...s.workloads.statefulsets].filter((w) => w.pdb).map((w) => `${w.namespace}/${w.name}`);
  s.faults.forEach((f, i) => {
    if ("node" in f && f.node !== void 0 && !names.has(f.node))
      problems.push(`faults[${i}].node: unknown node "${f.node}"`);
    if (f.type === "pdb-blocks" && !guarded.includes(`${f.namespace}/${f.name}`))
      problems.push(
        `faults[${i}].name: no workload ${f.namespace}/${f.name} with a pdb in workloads`
      );
    if (f.type === "etcd-unhealthy") {
      const node = s.nodes.find((n) => n.name === f.node);
      if (node && node.role !== "controlplane")
        problems.push(`faults[${i}].node: ${f.node} is not a controlplane node`);
    }
  });
  return problems;
}

// src/adapters/simulated/index.ts
var SIMULATION_EPOCH_MS = Date.UTC(2026, 0, 5, 2, 0, 0);
function worldContext(scenario) {
  const k = scenario.upgrade.kubernetes;
  return {
    scenario,
    inventory: deriveInventory(scenario),
    policy: derivePolicy(scenario),
    durations: deriveDurations(scenario),
    kind: scenario.upgrade.kind,
    talos: { ...scenario.upgrade.talos },
    kubernetes: { from: k.from, to: k.to ?? k.from }
  };
}
async function createSimulatedCluster(options) {
  const { scenario, seed } = options;
  const context = worldContext(scenario);
  const saved = options.worldFile ? readWorldFile(options.worldFile) : void 0;
  if (saved && saved.world.scenarioHash !== scenarioHash(scenario))
    throw new DroverError(
      "input",
      "WORLD_MISMATCH",
      `World file ${options.worldFile} was saved for another scenario (${saved.world.scenario})`,
      {
        hint: "Use the scenario the world was created with, or delete the world file to start afresh."
      }
    );
  const state = saved ? saved.world : initialState(context, seed, SIMULATION_EPOCH_MS);
  const clock = new VirtualClock({ startMs: state.now, idleDelayMs: options.idleDelayMs ?? 0 });
  const store = new KubeStore(() => clock.now());
  const world = new World(context, state, store, clock);
  registerMachineHandlers(world);
  registerPodHandlers(world);
  registerCephHandlers(world);
  world.addReconciler(reconcileWorkloads, [R.pods, R.nodes, R.replicasets, R.statefulsets, R.daemonsets]);
  world.addReconciler(reconcileWorkloadStatus, [R.pods, R.deployments, R.replicasets, R.statefulsets, R.daemonsets]);
  world.addReconciler(reconcilePdbs, [R.pods, R.pdbs, R.replicasets, R.statefulsets]);
  world.addReconciler(reconcileCeph, [R.nodes, R.cephclusters]);
  if (saved) store.restore(saved.store);
  else {
    seedStore(world);
    world.asWorld(() => {
      reconcileWorkloadStatus(world);
      reconcilePdbs(world);
    });
    armTimedFaults(world, SIMULATION_EPOCH_MS);
  }
  world.addStoreHook(invariantStoreHook(world));
  const snapshot = () => {
    state.now = clock.now();
    state.rng = world.rng.state;
    return { world: state, store: store.snapshot() };
  };
  const saver = options.worldFile ? new WorldSaver(options.worldFile, snapshot) : void 0;
  if (saver) {
    world.onChange(() => saver.request());
    clock.onAdvance(() => saver.request());
    saver.saveNow();
  }
  world.start();
  const kubernetes = new SimulatedKubernetesPort(world);
  return {
    scenario,
    inventory: context.inventory,
    policy: context.policy,
    durations: context.durations,
    kind: context.kind,
    from: context.talos.from,
    to: context.talos.to,
    kubernetes: { ...context.kubernetes },
    clock,
    store,
    ports: {
      clock,
      kubernetes,
      talos: new SimulatedTalosPort(world),
      infrastructure: new SimulatedInfrastructurePort(world),
      stateBackup: new SimulatedStateBackupPort(world),
      secrets: new SimulatedSecretsPort(world),
      storage: new SimulatedStoragePort(world)
    },
    violations: () => state.violations.map((v) => ({ ...v })),
    vmReplacements: () => ({ ...state.vmReplacements }),
    secretValues: () => [...state.secrets.served],
    resumedFromWorld: saved !== void 0,
    persist: async () => saver?.saveNow(),
    close: async () => {
      if (saver) {
        saver.saveNow();
        saver.close();
      }
      world.stop();
      clock.stop();
    }
  };
}

// src/adapters/simulated/testing/cycle-driver.ts
var WAIT = { timeoutMs: 36e5 };
async function until(cluster, what, check, limitMs = 36e5) {
  const deadline = cluster.clock.now() + limitMs;
  while (!await check()) {
    if (cluster.clock.now() > deadline) throw new Error(`driver: timed out waiting for ${what}`);
    await cluster.clock.sleep(5e3);
  }
}
async function rebuildTemplates(cluster) {
  for (const t of Object.values(cluster.inventory.templates)) {
    const plan = await cluster.ports.infrastructure.plan({ replace: [t.address] });
    await cluster.ports.infrastructure.apply(plan);
  }
}
async function backupState(cluster, key2) {
  const state = await cluster.ports.infrastructure.pullState();
  const stored = await cluster.ports.stateBackup.put(key2, state.bytes);
  const back = await cluster.ports.stateBackup.get(key2);
  if (back.byteLength !== stored.size) throw new Error("driver: backup read-back differs");
}
async function drain(cluster, node) {
  const k = cluster.ports.kubernetes;
  for (; ; ) {
    const pods = (await k.listPodsOnNode(node)).filter((p) => p.controllerKind !== "DaemonSet" && !p.mirror);
    const live = pods.filter((p) => !p.deleting);
    if (pods.length === 0) return;
    let blocked = false;
    for (const p of live) if ((await k.evictPod(p)).outcome === "blocked") blocked = true;
    if (blocked || live.length === 0) await cluster.clock.sleep(5e3);
  }
}
async function machineConfigWithPatches(cluster, node) {
  const config = await cluster.ports.secrets.machineConfig(node);
  const patches = node.patches.map((id) => cluster.inventory.patches[id]?.content ?? "");
  return [config, ...patches].join("\n---\n");
}
async function replaceNode(cluster, node, step = 0) {
  const { kubernetes: k, talos, infrastructure, storage } = cluster.ports;
  const domain = node.storage?.osd ? node.storage.failureDomain ?? node.host : void 0;
  await until(cluster, "ceph healthy", async () => await k.cephHealth() === "HEALTH_OK");
  if (node.role === "controlplane") {
    const others = cluster.inventory.nodes.filter((n) => n.role === "controlplane" && n.name !== node.name);
    await until(cluster, "etcd healthy", async () => (await talos.etcdStatus(others.map((n) => n.address))).every((s) => s.healthy));
  }
  if (domain) await storage.setNoout(domain, true);
  await k.cordon(node.name);
  await drain(cluster, node.name);
  await backupState(cluster, `backups/${node.name}-${step}.tfstate`);
  if (node.role === "controlplane") await talos.etcdLeave(node.address);
  const plan = await infrastructure.plan({ replace: node.terraformAddresses });
  await infrastructure.apply(plan);
  await until(cluster, "maintenance", async () => await talos.probe(node.address) === "maintenance");
  await talos.applyConfig(node.address, await machineConfigWithPatches(cluster, node), { insecure: true });
  await k.waitForNode(node.name, (n) => n?.ready === "True" && n.talosVersion === cluster.to, WAIT);
  if (node.role === "controlplane") {
    await until(cluster, "etcd rejoin", async () => {
      const all = await talos.etcdStatus(cluster.inventory.nodes.filter((n) => n.role === "controlplane").map((n) => n.address));
      return all.every((s) => s.healthy);
    });
  }
  if (node.gpu) await k.waitForNode(node.name, (n) => Number(n?.allocatable["nvidia.com/gpu"] ?? 0) >= 1, WAIT);
  if (domain) await storage.setNoout(domain, false);
  await k.uncordon(node.name);
  await until(cluster, "ceph healthy after", async () => await k.cephHealth() === "HEALTH_OK");
}
async function cattleUpgrade(cluster) {
  await rebuildTemplates(cluster);
  let step = 0;
  for (const node of cluster.inventory.nodes.filter((n) => n.role === "controlplane")) await replaceNode(cluster, node, step++);
  for (const node of cluster.inventory.nodes.filter((n) => n.role === "worker")) await replaceNode(cluster, node, step++);
}

// ../../tmp/prof2.mts
var c = await createSimulatedCluster({ scenario: referenceScenario(), seed: 1, worldFile: "/tmp/w-prof.json" });
var fires = 0;
c.clock.onAdvance(() => fires++);
var t0 = Date.now();
var cpu0 = process.cpuUsage();
await cattleUpgrade(c);
console.log("cpu", JSON.stringify(process.cpuUsage(cpu0)), "ms", Date.now() - t0, "advances", fires, "rv", c.store.resourceVersion, globalThis.W?.reconcileCount);
await c.close();
