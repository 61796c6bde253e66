//! Server-side `Table` rendering: what the API server returns for
//! `Accept: application/json;as=Table;v=v1;g=meta.k8s.io`, i.e. the columns and cells that
//! `kubectl get` prints.
//!
//! Columns, cell formats and the status logic follow upstream's printers
//! (`pkg/printers/internalversion/printers.go` as of Kubernetes 1.33), the generic default
//! (`k8s.io/apiserver/pkg/registry/rest/table.go`: Name + "Created At"), the APIService table of
//! kube-aggregator and the custom-resource table of apiextensions-apiserver
//! ([`custom_resource_table`]).
//!
//! Upstream prints the internal (decoded *and defaulted*) object, always with `Wide: true`
//! (`kubectl` hides the priority-1 columns itself). Objects here are versioned JSON; where an
//! upstream default changes what is printed (e.g. `spec.replicas` defaults to 1, a Service's
//! `type` to `ClusterIP`), that default is applied when the field is missing. Every field is
//! read with `get`/`pointer`: objects with missing or mistyped fields still produce a row.
//!
//! Pure: no IO, no clock (the caller passes `now`).

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use jiff::Timestamp;
use serde_json::{Map, Value, json};

// ---------------------------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------------------------

/// Column definitions and rows for objects of one kind. `objects` are full API objects as JSON
/// (`apiVersion`, `kind`, `metadata`, ...). `now` is the time ages are computed against.
/// `include_object`: "None", "Metadata" (default: each row's `object` is a PartialObjectMetadata:
/// {"kind":"PartialObjectMetadata","apiVersion":"meta.k8s.io/v1","metadata":{...}}) or "Object"
/// (the full object). Any other value is treated as "Metadata" (upstream answers 400 for it;
/// callers should validate the `includeObject` parameter before calling).
/// Returns the Table JSON:
/// {"kind":"Table","apiVersion":"meta.k8s.io/v1","metadata":{},"columnDefinitions":[...],"rows":[...]}
/// (the caller fills metadata.resourceVersion/continue).
pub fn to_table(
    api_version: &str,
    kind: &str,
    objects: &[Value],
    include_object: &str,
    now: Timestamp,
) -> Value {
    let printer = Printer::of(api_version, kind);
    let mut items: Vec<&Value> = objects.iter().collect();
    if printer == Printer::FlowSchema {
        // printFlowSchemaList sorts by matching precedence, then name.
        items.sort_by(|a, b| {
            let pa = int_at(a, "/spec/matchingPrecedence").unwrap_or(0);
            let pb = int_at(b, "/spec/matchingPrecedence").unwrap_or(0);
            pa.cmp(&pb).then_with(|| name_of(a).cmp(name_of(b)))
        });
    }
    let rows: Vec<Value> = items
        .into_iter()
        .map(|obj| {
            let row = printer.row(api_version, obj, now);
            build_row(row, obj, include_object)
        })
        .collect();
    table_json(columns_json(printer.columns()), rows)
}

/// Just the column definitions (watch streams send them once, first).
pub fn column_definitions(api_version: &str, kind: &str) -> Value {
    columns_json(Printer::of(api_version, kind).columns())
}

/// Human duration as kubectl/the server prints ages: "5s", "3m2s", "10m", "2h5m", "3d4h",
/// "2y10d" (upstream `duration.HumanDuration` rules, exactly).
pub fn human_duration(d: Duration) -> String {
    human_duration_nanos(i128::try_from(d.as_nanos()).unwrap_or(i128::MAX))
}

/// The Table for custom resources, as apiextensions-apiserver builds it from a CRD version's
/// `additionalPrinterColumns` (`printer_columns`, the JSON array; empty means the default
/// `Age` column). Cells are evaluated with the simple JSONPath subset CRDs use
/// (`.a.b`, `['a.b']`, `[0]`, `[*]`, `[?(@.type=="Ready")]`).
pub fn custom_resource_table(
    printer_columns: &[Value],
    objects: &[Value],
    include_object: &str,
    now: Timestamp,
) -> Value {
    let columns = crd_columns(printer_columns);
    let rows = objects
        .iter()
        .map(|obj| {
            let mut cells = vec![Value::from(name_of(obj))];
            for col in &columns {
                cells.push(crd_cell(col, obj, now));
            }
            build_row(Row::new(cells), obj, include_object)
        })
        .collect();
    table_json(crd_columns_json(&columns), rows)
}

/// Column definitions of [`custom_resource_table`] (for watch streams).
pub fn custom_resource_column_definitions(printer_columns: &[Value]) -> Value {
    crd_columns_json(&crd_columns(printer_columns))
}

// ---------------------------------------------------------------------------------------------
// Table / row assembly
// ---------------------------------------------------------------------------------------------

struct Row {
    cells: Vec<Value>,
    conditions: Option<Value>,
}

impl Row {
    fn new(cells: Vec<Value>) -> Row {
        Row {
            cells,
            conditions: None,
        }
    }
}

fn table_json(column_definitions: Value, rows: Vec<Value>) -> Value {
    json!({
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": {},
        "columnDefinitions": column_definitions,
        "rows": rows,
    })
}

fn build_row(row: Row, obj: &Value, include_object: &str) -> Value {
    let object = match include_object {
        "None" => Value::Null,
        "Object" => obj.clone(),
        _ => {
            let metadata = match obj.get("metadata") {
                Some(Value::Object(m)) => Value::Object(m.clone()),
                _ => Value::Object(Map::new()),
            };
            json!({
                "kind": "PartialObjectMetadata",
                "apiVersion": "meta.k8s.io/v1",
                "metadata": metadata,
            })
        }
    };
    let mut out = Map::new();
    out.insert("cells".into(), Value::Array(row.cells));
    if let Some(conditions) = row.conditions {
        out.insert("conditions".into(), conditions);
    }
    out.insert("object".into(), object);
    Value::Object(out)
}

#[derive(Clone, Copy)]
struct Col {
    name: &'static str,
    ty: &'static str,
    format: &'static str,
    desc: &'static str,
    priority: i32,
}

const fn col(name: &'static str, ty: &'static str, desc: &'static str) -> Col {
    Col {
        name,
        ty,
        format: "",
        desc,
        priority: 0,
    }
}

const fn wide(name: &'static str, ty: &'static str, desc: &'static str) -> Col {
    Col {
        name,
        ty,
        format: "",
        desc,
        priority: 1,
    }
}

const NAME: Col = Col {
    name: "Name",
    ty: "string",
    format: "name",
    desc: D_META_NAME,
    priority: 0,
};
const AGE: Col = col("Age", "string", D_META_CREATION);
const D_CONTAINERS: &str = "Names of each container in the template.";
const D_IMAGES: &str = "Images referenced by each container in the template.";
const CONTAINERS_WIDE: Col = wide("Containers", "string", D_CONTAINERS);
const IMAGES_WIDE: Col = wide("Images", "string", D_IMAGES);

fn columns_json(cols: &[Col]) -> Value {
    Value::Array(
        cols.iter()
            .map(|c| {
                json!({
                    "name": c.name,
                    "type": c.ty,
                    "format": c.format,
                    "description": c.desc,
                    "priority": c.priority,
                })
            })
            .collect(),
    )
}

// ---------------------------------------------------------------------------------------------
// Upstream column descriptions (the `SwaggerDoc()` strings of k8s.io/api v0.33 and
// k8s.io/apimachinery v0.33 that printers.go references)
// ---------------------------------------------------------------------------------------------

const D_META_NAME: &str = "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names";
const D_META_CREATION: &str = "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata";
const D_POD_IP: &str = "podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.";
const D_POD_NODE_NAME: &str = "NodeName indicates in which node this pod is scheduled. If empty, this pod is a candidate for scheduling by the scheduler defined in schedulerName. Once this field is set, the kubelet for this node becomes responsible for the lifecycle of this pod. This field should not be used to express a desire for the pod to be scheduled on a specific node. https://kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/#nodename";
const D_POD_NOMINATED: &str = "nominatedNodeName is set only when this pod preempts other pods on the node, but it cannot be scheduled right away as preemption victims receive their graceful termination periods. This field does not guarantee that the pod will be scheduled on this node. Scheduler may decide to place the pod elsewhere if other nodes become available sooner. Scheduler may also decide to give the resources on this node to a higher priority pod that is created after preemption. As a result, this field may be different than PodSpec.nodeName when the pod is scheduled.";
const D_POD_READINESS_GATES: &str = "If specified, all readiness gates will be evaluated for pod readiness. A pod is ready when all its containers are ready AND all conditions specified in the readiness gates have status equal to \"True\" More info: https://git.k8s.io/enhancements/keps/sig-network/580-pod-readiness-gates";
const D_POD_NODE_SELECTOR: &str = "NodeSelector is a selector which must be true for the pod to fit on a node. Selector which must match a node's labels for the pod to be scheduled on that node. More info: https://kubernetes.io/docs/concepts/configuration/assign-pod-node/";
const D_RC_SPEC_REPLICAS: &str = "Replicas is the number of desired replicas. This is a pointer to distinguish between explicit zero and unspecified. Defaults to 1. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicationcontroller#what-is-a-replicationcontroller";
const D_RC_STATUS_REPLICAS: &str = "Replicas is the most recently observed number of replicas. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicationcontroller#what-is-a-replicationcontroller";
const D_RC_STATUS_READY: &str = "The number of ready replicas for this replication controller.";
const D_RC_SPEC_SELECTOR: &str = "Selector is a label query over pods that should match the Replicas count. If Selector is empty, it is defaulted to the labels present on the Pod template. Label keys and values that must match in order to be controlled by this replication controller, if empty defaulted to labels on Pod template. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors";
const D_SVC_TYPE: &str = "type determines how the Service is exposed. Defaults to ClusterIP. Valid options are ExternalName, ClusterIP, NodePort, and LoadBalancer. \"ClusterIP\" allocates a cluster-internal IP address for load-balancing to endpoints. Endpoints are determined by the selector or if that is not specified, by manual construction of an Endpoints object or EndpointSlice objects. If clusterIP is \"None\", no virtual IP is allocated and the endpoints are published as a set of endpoints rather than a virtual IP. \"NodePort\" builds on ClusterIP and allocates a port on every node which routes to the same endpoints as the clusterIP. \"LoadBalancer\" builds on NodePort and creates an external load-balancer (if supported in the current cloud) which routes to the same endpoints as the clusterIP. \"ExternalName\" aliases this service to the specified externalName. Several other fields do not apply to ExternalName services. More info: https://kubernetes.io/docs/concepts/services-networking/service/#publishing-services-service-types";
const D_SVC_CLUSTER_IP: &str = "clusterIP is the IP address of the service and is usually assigned randomly. If an address is specified manually, is in-range (as per system configuration), and is not in use, it will be allocated to the service; otherwise creation of the service will fail. This field may not be changed through updates unless the type field is also being changed to ExternalName (which requires this field to be blank) or the type field is being changed from ExternalName (in which case this field may optionally be specified, as describe above).  Valid values are \"None\", empty string (\"\"), or a valid IP address. Setting this to \"None\" makes a \"headless service\" (no virtual IP), which is useful when direct endpoint connections are preferred and proxying is not required.  Only applies to types ClusterIP, NodePort, and LoadBalancer. If this field is specified when creating a Service of type ExternalName, creation will fail. This field will be wiped when updating a Service to type ExternalName. More info: https://kubernetes.io/docs/concepts/services-networking/service/#virtual-ips-and-service-proxies";
const D_SVC_EXTERNAL_IPS: &str = "externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.  These IPs are not managed by Kubernetes.  The user is responsible for ensuring that traffic arrives at a node with this IP.  A common example is external load-balancers that are not part of the Kubernetes system.";
const D_SVC_PORTS: &str = "The list of ports that are exposed by this service. More info: https://kubernetes.io/docs/concepts/services-networking/service/#virtual-ips-and-service-proxies";
const D_SVC_SELECTOR: &str = "Route service traffic to pods with label keys and values matching this selector. If empty or not present, the service is assumed to have an external process managing its endpoints, which Kubernetes will not modify. Only applies to types ClusterIP, NodePort, and LoadBalancer. Ignored if type is ExternalName. More info: https://kubernetes.io/docs/concepts/services-networking/service/";
const D_ENDPOINTS_SUBSETS: &str = "The set of all endpoints is the union of all subsets. Addresses are placed into subsets according to the IPs they share. A single address with multiple ports, some of which are ready and some of which are not (because they come from different containers) will result in the address being displayed in different subsets for the different ports. No address will appear in both Addresses and NotReadyAddresses in the same subset. Sets of addresses and ports that comprise a service.";
const D_NODE_KUBELET_VERSION: &str = "Kubelet Version reported by the node.";
const D_NODE_ADDRESSES: &str = "List of addresses reachable to the node. Queried from cloud provider, if available. More info: https://kubernetes.io/docs/reference/node/node-status/#addresses Note: This field is declared as mergeable, but the merge key is not sufficiently unique, which can cause data corruption when it is merged. Callers should instead use a full-replacement patch. See https://pr.k8s.io/79391 for an example. Consumers should assume that addresses can change during the lifetime of a Node. However, there are some exceptions where this may not be possible, such as Pods that inherit a Node's address in its own status or consumers of the downward API (status.hostIP).";
const D_NODE_OS_IMAGE: &str =
    "OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).";
const D_NODE_KERNEL: &str =
    "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).";
const D_NODE_RUNTIME: &str = "ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).";
const D_EVENT_LAST: &str =
    "The time at which the most recent occurrence of this event was recorded.";
const D_EVENT_TYPE: &str =
    "Type of this event (Normal, Warning), new types could be added in the future";
const D_EVENT_REASON: &str = "This should be a short, machine understandable string that gives the reason for the transition into the object's current status.";
const D_EVENT_INVOLVED: &str = "The object that this event is about.";
const D_EVENT_FIELD_PATH: &str = "If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement, such as desiredState.manifest.containers[2]. For example, if the object reference is to a container within a pod, this would take on a value like: \"spec.containers{name}\" (where \"name\" refers to the name of the container that triggered the event) or if no container name is specified \"spec.containers[2]\" (container with index 2 in this pod). This syntax is chosen only to have some well-defined way of referencing a part of an object.";
const D_EVENT_SOURCE: &str =
    "The component reporting this event. Should be a short machine understandable string.";
const D_EVENT_MESSAGE: &str = "A human-readable description of the status of this operation.";
const D_EVENT_FIRST: &str =
    "The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)";
const D_EVENT_COUNT: &str = "The number of times this event has occurred.";
const D_SECRET_TYPE: &str = "Used to facilitate programmatic handling of secret data. More info: https://kubernetes.io/docs/concepts/configuration/secret/#secret-types";
const D_SECRET_DATA: &str = "Data contains the secret data. Each key must consist of alphanumeric characters, '-', '_' or '.'. The serialized form of the secret data is a base64 encoded string, representing the arbitrary (possibly non-string) data value here. Described in https://tools.ietf.org/html/rfc4648#section-4";
const D_SA_SECRETS: &str = "Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use. Pods are only limited to this list if this service account has a \"kubernetes.io/enforce-mountable-secrets\" annotation set to \"true\". The \"kubernetes.io/enforce-mountable-secrets\" annotation is deprecated since v1.32. Prefer separate namespaces to isolate access to mounted secrets. This field should not be used to find auto-generated service account token secrets for use outside of pods. Instead, tokens can be requested directly using the TokenRequest API, or service account token secrets can be manually created. More info: https://kubernetes.io/docs/concepts/configuration/secret";
const D_PV_CAPACITY: &str = "capacity is the description of the persistent volume's resources and capacity. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#capacity";
const D_PV_ACCESS_MODES: &str = "accessModes contains all ways the volume can be mounted. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#access-modes";
const D_PV_RECLAIM: &str = "persistentVolumeReclaimPolicy defines what happens to a persistent volume when released from its claim. Valid options are Retain (default for manually created PersistentVolumes), Delete (default for dynamically provisioned PersistentVolumes), and Recycle (deprecated). Recycle must be supported by the volume plugin underlying this PersistentVolume. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#reclaiming";
const D_PV_PHASE: &str = "phase indicates if a volume is available, bound to a claim, or released by a claim. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#phase";
const D_PV_CLAIM: &str = "claimRef is part of a bi-directional binding between PersistentVolume and PersistentVolumeClaim. Expected to be non-nil when bound. claim.VolumeName is the authoritative bind between PV and PVC. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#binding";
const D_PV_REASON: &str = "reason is a brief CamelCase string that describes any failure and is meant for machine parsing and tidy display in the CLI.";
const D_PV_VOLUME_MODE: &str = "volumeMode defines if a volume is intended to be used with a formatted filesystem or to remain in raw block state. Value of Filesystem is implied when not included in spec.";
const D_PVC_PHASE: &str = "phase represents the current phase of PersistentVolumeClaim.";
const D_PVC_VOLUME_NAME: &str =
    "volumeName is the binding reference to the PersistentVolume backing this claim.";
const D_PVC_CAPACITY: &str = "capacity represents the actual resources of the underlying volume.";
const D_PVC_ACCESS_MODES: &str = "accessModes contains the actual access modes the volume backing the PVC has. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#access-modes-1";
const D_PVC_VOLUME_MODE: &str = "volumeMode defines what type of volume is required by the claim. Value of Filesystem is implied when not included in claim spec.";
const D_CONFIGMAP_DATA: &str = "Data contains the configuration data. Each key must consist of alphanumeric characters, '-', '_' or '.'. Values with non-UTF-8 byte sequences must use the BinaryData field. The keys stored in Data must not overlap with the keys in the BinaryData field, this is enforced during validation process.";
const D_RS_SPEC_REPLICAS: &str = "Replicas is the number of desired pods. This is a pointer to distinguish between explicit zero and unspecified. Defaults to 1. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicaset";
const D_RS_STATUS_REPLICAS: &str = "Replicas is the most recently observed number of non-terminating pods. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicaset";
const D_RS_STATUS_READY: &str =
    "The number of non-terminating pods targeted by this ReplicaSet with a Ready Condition.";
const D_RS_SPEC_SELECTOR: &str = "Selector is a label query over pods that should match the replica count. If the selector is empty, it is defaulted to the labels present on the pod template. Label keys and values that must match in order to be controlled by this replica set. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors";
const D_DS_DESIRED: &str = "The total number of nodes that should be running the daemon pod (including nodes correctly running the daemon pod). More info: https://kubernetes.io/docs/concepts/workloads/controllers/daemonset/";
const D_DS_CURRENT: &str = "The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod. More info: https://kubernetes.io/docs/concepts/workloads/controllers/daemonset/";
const D_DS_READY: &str = "The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and ready.";
const D_DS_UPDATED: &str = "The total number of nodes that are running updated daemon pod";
const D_DS_AVAILABLE: &str = "The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available (ready for at least spec.minReadySeconds)";
const D_DS_SELECTOR: &str = "A label query over pods that are managed by the daemon set. Must match in order to be controlled. If empty, defaulted to labels on Pod template. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors";
const D_DEPLOY_UPDATED: &str = "Total number of non-terminating pods targeted by this deployment that have the desired template spec.";
const D_DEPLOY_AVAILABLE: &str = "Total number of available non-terminating pods (ready for at least minReadySeconds) targeted by this deployment.";
const D_DEPLOY_SELECTOR: &str = "Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment.";
const D_NETPOL_POD_SELECTOR: &str = "Selects the pods to which this NetworkPolicy object applies.  The array of ingress rules is applied to any pods selected by this field. Multiple network policies can select the same set of pods.  In this case, the ingress rules for each are combined additively. This field is NOT optional and follows standard label selector semantics. An empty podSelector matches all pods in this namespace.";
const D_JOB_SUCCEEDED: &str = "The number of pods which reached phase Succeeded. The value increases monotonically for a given spec. However, it may decrease in reaction to scale down of elastic indexed jobs.";
const D_JOB_SELECTOR: &str = "A label query over pods that should match the pod count. Normally, the system sets this field for you. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors";
const D_CRONJOB_SCHEDULE: &str =
    "The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron.";
const D_CRONJOB_TIMEZONE: &str = "The time zone name for the given schedule, see https://en.wikipedia.org/wiki/List_of_tz_database_time_zones. If not specified, this will default to the time zone of the kube-controller-manager process. The set of valid time zone names and the time zone offset is loaded from the system-wide time zone database by the API server during CronJob validation and the controller manager during execution. If no system-wide time zone database can be found a bundled version of the database is used instead. If the time zone name becomes invalid during the lifetime of a CronJob or due to a change in host configuration, the controller will stop creating new new Jobs and will create a system event with the reason UnknownTimeZone. More information can be found in https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/#time-zones";
const D_CRONJOB_SUSPEND: &str = "This flag tells the controller to suspend subsequent executions, it does not apply to already started executions.  Defaults to false.";
const D_CRONJOB_ACTIVE: &str = "A list of pointers to currently running jobs.";
const D_CRONJOB_LAST_SCHEDULE: &str =
    "Information when was the last time the job was successfully scheduled.";
const D_CONTROLLER_REVISION: &str =
    "revision indicates the revision of the state represented by Data.";
const D_HPA_REF: &str = "scaleTargetRef points to the target resource to scale, and is used to the pods for which metrics should be collected, as well as to actually change the replica count.";
const D_HPA_METRICS: &str = "metrics contains the specifications for which to use to calculate the desired replica count (the maximum replica count across all metrics will be used).  The desired replica count is calculated multiplying the ratio between the target value and the current value by the current number of pods.  Ergo, metrics used must decrease as the pod count is increased, and vice-versa.  See the individual metric source types for more information about how each type of metric must respond.";
const D_HPA_MIN: &str = "minReplicas is the lower limit for the number of replicas to which the autoscaler can scale down.  It defaults to 1 pod.  minReplicas is allowed to be 0 if the alpha feature gate HPAScaleToZero is enabled and at least one Object or External metric is configured.  Scaling is active as long as at least one metric value is available.";
const D_HPA_MAX: &str = "maxReplicas is the upper limit for the number of replicas to which the autoscaler can scale up. It cannot be less that minReplicas.";
const D_HPA_CURRENT: &str = "currentReplicas is current number of replicas of pods managed by this autoscaler, as last seen by the autoscaler.";
const D_RB_ROLE_REF: &str = "RoleRef can reference a Role in the current namespace or a ClusterRole in the global namespace. If the RoleRef cannot be resolved, the Authorizer must return an error.";
const D_CRB_ROLE_REF: &str = "RoleRef can only reference a ClusterRole in the global namespace. If the RoleRef cannot be resolved, the Authorizer must return an error.";
const D_LEASE_HOLDER: &str = "holderIdentity contains the identity of the holder of a current lease. If Coordinated Leader Election is used, the holder identity must be equal to the elected LeaseCandidate.metadata.name field.";
const D_SC_PROVISIONER: &str = "provisioner indicates the type of the provisioner.";
const D_SC_RECLAIM: &str = "reclaimPolicy controls the reclaimPolicy for dynamically provisioned PersistentVolumes of this storage class. Defaults to Delete.";
const D_SC_BINDING_MODE: &str = "volumeBindingMode indicates how PersistentVolumeClaims should be provisioned and bound.  When unset, VolumeBindingImmediate is used. This field is only honored by servers that enable the VolumeScheduling feature.";
const D_SC_EXPANSION: &str =
    "allowVolumeExpansion shows whether the storage class allow volume expand.";
const D_VA_ATTACHER: &str = "attacher indicates the name of the volume driver that MUST handle this request. This is the name returned by GetPluginName().";
const D_VA_PV: &str =
    "persistentVolumeName represents the name of the persistent volume to attach.";
const D_VA_NODE: &str = "nodeName represents the node that the volume should be attached to.";
const D_VA_ATTACHED: &str = "attached indicates the volume is successfully attached. This field must only be set by the entity completing the attach operation, i.e. the external-attacher.";
const D_CSID_ATTACH: &str = "attachRequired indicates this CSI volume driver requires an attach operation (because it implements the CSI ControllerPublishVolume() method), and that the Kubernetes attach detach controller should call the attach volume interface which checks the volumeattachment status and waits until the volume is attached before proceeding to mounting. The CSI external-attacher coordinates with CSI volume driver and updates the volumeattachment status when the attach operation is complete. If the CSIDriverRegistry feature gate is enabled and the value is specified to false, the attach operation will be skipped. Otherwise the attach operation will be called.\n\nThis field is immutable.";
const D_CSID_POD_INFO: &str = "podInfoOnMount indicates this CSI volume driver requires additional pod information (like podName, podUID, etc.) during mount operations, if set to true. If set to false, pod information will not be passed on mount. Default is false.\n\nThe CSI driver specifies podInfoOnMount as part of driver deployment. If true, Kubelet will pass pod information as VolumeContext in the CSI NodePublishVolume() calls. The CSI driver is responsible for parsing and validating the information passed in as VolumeContext.\n\nThe following VolumeContext will be passed if podInfoOnMount is set to true. This list might grow, but the prefix will be used. \"csi.storage.k8s.io/pod.name\": pod.Name \"csi.storage.k8s.io/pod.namespace\": pod.Namespace \"csi.storage.k8s.io/pod.uid\": string(pod.UID) \"csi.storage.k8s.io/ephemeral\": \"true\" if the volume is an ephemeral inline volume\n                                defined by a CSIVolumeSource, otherwise \"false\"\n\n\"csi.storage.k8s.io/ephemeral\" is a new feature in Kubernetes 1.16. It is only required for drivers which support both the \"Persistent\" and \"Ephemeral\" VolumeLifecycleMode. Other drivers can leave pod info disabled and/or ignore this field. As Kubernetes 1.15 doesn't support this field, drivers can only support one mode when deployed on such a cluster and the deployment determines which mode that is, for example via a command line parameter of the driver.\n\nThis field was immutable in Kubernetes < 1.29 and now is mutable.";
const D_CSID_CAPACITY: &str = "storageCapacity indicates that the CSI volume driver wants pod scheduling to consider the storage capacity that the driver deployment will report by creating CSIStorageCapacity objects with capacity information, if set to true.\n\nThe check can be enabled immediately when deploying a driver. In that case, provisioning new volumes with late binding will pause until the driver deployment has published some suitable CSIStorageCapacity object.\n\nAlternatively, the driver can be deployed with the field unset or false and it can be flipped later when storage capacity information has been published.\n\nThis field was immutable in Kubernetes <= 1.22 and now is mutable.";
const D_CSID_TOKEN: &str = "tokenRequests indicates the CSI driver needs pods' service account tokens it is mounting volume for to do necessary authentication. Kubelet will pass the tokens in VolumeContext in the CSI NodePublishVolume calls. The CSI driver should parse and validate the following VolumeContext: \"csi.storage.k8s.io/serviceAccount.tokens\": {\n  \"<audience>\": {\n    \"token\": <token>,\n    \"expirationTimestamp\": <expiration timestamp in RFC3339>,\n  },\n  ...\n}\n\nNote: Audience in each TokenRequest should be different and at most one token is empty string. To receive a new token after expiry, RequiresRepublish can be used to trigger NodePublishVolume periodically.";
const D_CSID_REPUBLISH: &str = "requiresRepublish indicates the CSI driver wants `NodePublishVolume` being periodically called to reflect any possible change in the mounted volume. This field defaults to false.\n\nNote: After a successful initial NodePublishVolume call, subsequent calls to NodePublishVolume should only update the contents of the volume. New mount points will not be seen by a running container.";
const D_CSID_MODES: &str = "volumeLifecycleModes defines what kind of volumes this CSI volume driver supports. The default if the list is empty is \"Persistent\", which is the usage defined by the CSI specification and implemented in Kubernetes via the usual PV/PVC mechanism.\n\nThe other mode is \"Ephemeral\". In this mode, volumes are defined inline inside the pod spec with CSIVolumeSource and their lifecycle is tied to the lifecycle of that pod. A driver has to be aware of this because it is only going to get a NodePublishVolume call for such a volume.\n\nFor more information about implementing this mode, see https://kubernetes-csi.github.io/docs/ephemeral-local-volumes.html A driver can support one or more of these modes and more modes may be added in the future.\n\nThis field is beta. This field is immutable.";
const D_CSISC_CLASS: &str = "storageClassName represents the name of the StorageClass that the reported capacity applies to. It must meet the same requirements as the name of a StorageClass object (non-empty, DNS subdomain). If that object no longer exists, the CSIStorageCapacity object is obsolete and should be removed by its creator. This field is immutable.";
const D_CSISC_CAPACITY: &str = "capacity is the value reported by the CSI driver in its GetCapacityResponse for a GetCapacityRequest with topology and parameters that match the previous fields.\n\nThe semantic is currently (CSI spec 1.2) defined as: The available capacity, in bytes, of the storage that can be used to provision volumes. If not set, that information is currently unavailable.";
const D_VAC_DRIVER: &str = "Name of the CSI driver This field is immutable.";
const D_PC_VALUE: &str = "value represents the integer value of this priority class. This is the actual priority that pods receive when they have the name of this class in their pod spec.";
const D_PC_GLOBAL_DEFAULT: &str = "globalDefault specifies whether this PriorityClass should be considered as the default priority for pods that do not have any priority class. Only one PriorityClass can be marked as `globalDefault`. However, if more than one PriorityClasses exists with their `globalDefault` field set to true, the smallest value of such global default PriorityClasses will be used as the default priority.";
const D_PC_PREEMPTION: &str = "preemptionPolicy is the Policy for preempting pods with lower priority. One of Never, PreemptLowerPriority. Defaults to PreemptLowerPriority if unset.";
const D_EPS_ADDRESS_TYPE: &str = "addressType specifies the type of address carried by this EndpointSlice. All addresses in this slice must be the same type. This field is immutable after creation. The following address types are currently supported: * IPv4: Represents an IPv4 Address. * IPv6: Represents an IPv6 Address. * FQDN: Represents a Fully Qualified Domain Name.";
const D_EPS_PORTS: &str = "ports specifies the list of network ports exposed by each endpoint in this slice. Each port must have a unique name. When ports is empty, it indicates that there are no defined ports. When a port is defined with a nil port value, it indicates \"all ports\". Each slice may include a maximum of 100 ports.";
const D_EPS_ENDPOINTS: &str = "endpoints is a list of unique endpoints in this slice. Each slice may include a maximum of 1000 endpoints.";
const D_CSR_SIGNER: &str = "Requested signer for the request. It is a qualified name in the form: `scope-hostname.io/name`. If empty, it will be defaulted:\n 1. If it's a kubelet client certificate, it is assigned\n    \"kubernetes.io/kube-apiserver-client-kubelet\".\n 2. If it's a kubelet serving certificate, it is assigned\n    \"kubernetes.io/kubelet-serving\".\n 3. Otherwise, it is assigned \"kubernetes.io/legacy-unknown\".\nDistribution of trust for signers happens out of band. You can select on this field using `spec.signerName`.";
const D_CSR_REQUEST: &str = "Base64-encoded PKCS#10 CSR data";
const D_CSR_EXPIRATION: &str = "expirationSeconds is the requested duration of validity of the issued certificate. The certificate signer may issue a certificate with a different validity duration so a client must check the delta between the notBefore and and notAfter fields in the issued certificate to determine the actual duration.\n\nThe v1.22+ in-tree implementations of the well-known Kubernetes signers will honor this field as long as the requested duration is not greater than the maximum duration they will honor per the --cluster-signing-duration CLI flag to the Kubernetes controller manager.\n\nCertificate signers may not honor this field for various reasons:\n\n  1. Old signer that is unaware of the field (such as the in-tree\n     implementations prior to v1.22)\n  2. Signer whose configured maximum is shorter than the requested duration\n  3. Signer whose configured minimum is longer than the requested duration\n\nThe minimum valid value for expirationSeconds is 600, i.e. 10 minutes.";
const D_CSR_CONDITIONS: &str = "Conditions applied to the request, such as approval or denial.";
const D_SERVICE_CIDR_CIDRS: &str = "CIDRs defines the IP blocks in CIDR notation (e.g. \"192.168.0.0/24\" or \"2001:db8::/64\") from which to assign service cluster IPs. Max of two CIDRs is allowed, one of each IP family. This field is immutable.";
const D_IPADDRESS_PARENT: &str = "ParentRef references the resource that an IPAddress is attached to. An IPAddress must reference a parent object.";
const D_FS_PL: &str =
    "`name` is the name of the priority level configuration being referenced Required.";
const D_FS_PRECEDENCE: &str = "`matchingPrecedence` is used to choose among the FlowSchemas that match a given request. The chosen FlowSchema is among those with the numerically lowest (which we take to be logically highest) MatchingPrecedence.  Each MatchingPrecedence value must be ranged in [1,10000]. Note that if the precedence is not specified, it will be set to 1000 as default.";
const D_FS_DISTINGUISHER: &str = "`distinguisherMethod` defines how to compute the flow distinguisher for requests that match this schema. `nil` specifies that the distinguisher is disabled and thus will always be the empty string.";
const D_PL_TYPE: &str = "`type` indicates whether this priority level is subject to limitation on request execution.  A value of `\"Exempt\"` means that requests of this priority level are not subject to a limit (and thus are never queued) and do not detract from the capacity made available to other priority levels.  A value of `\"Limited\"` means that (a) requests of this priority level _are_ subject to limits and (b) some of the server's limited capacity is made available exclusively to this priority level. Required.";
const D_PL_NCS: &str = "`nominalConcurrencyShares` (NCS) contributes to the computation of the NominalConcurrencyLimit (NominalCL) of this level. This is the number of execution seats available at this priority level. This is used both for requests dispatched from this priority level as well as requests dispatched from other priority levels borrowing seats from this level. The server's concurrency limit (ServerCL) is divided among the Limited priority levels in proportion to their NCS values:\n\nNominalCL(i)  = ceil( ServerCL * NCS(i) / sum_ncs ) sum_ncs = sum[priority level k] NCS(k)\n\nBigger numbers mean a larger nominal concurrency limit, at the expense of every other priority level.\n\nIf not specified, this field defaults to a value of 30.\n\nSetting this field to zero supports the construction of a \"jail\" for this priority level that is used to hold some request(s)";
const D_PL_QUEUES: &str = "`queues` is the number of queues for this priority level. The queues exist independently at each apiserver. The value must be positive.  Setting it to 1 effectively precludes shufflesharding and thus makes the distinguisher method of associated flow schemas irrelevant.  This field has a default value of 64.";
const D_PL_HAND: &str = "`handSize` is a small positive number that configures the shuffle sharding of requests into queues.  When enqueuing a request at this priority level the request's flow identifier (a string pair) is hashed and the hash value is used to shuffle the list of queues and deal a hand of the size specified here.  The request is put into one of the shortest queues in that hand. `handSize` must be no larger than `queues`, and should be significantly smaller (so that a few heavy flows do not saturate most of the queues).  See the user-facing documentation for more extensive guidance on setting this field.  This field has a default value of 8.";
const D_PL_QLL: &str = "`queueLengthLimit` is the maximum number of requests allowed to be waiting in a given queue of this priority level at a time; excess requests are rejected.  This value must be positive.  If not specified, it will be defaulted to 50.";

// ---------------------------------------------------------------------------------------------
// Column definitions per kind (upstream `AddHandlers`)
// ---------------------------------------------------------------------------------------------

const POD_COLUMNS: &[Col] = &[
    NAME,
    col(
        "Ready",
        "string",
        "The aggregate readiness state of this pod for accepting traffic.",
    ),
    col(
        "Status",
        "string",
        "The aggregate status of the containers in this pod.",
    ),
    col(
        "Restarts",
        "string",
        "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.",
    ),
    AGE,
    wide("IP", "string", D_POD_IP),
    wide("Node", "string", D_POD_NODE_NAME),
    wide("Nominated Node", "string", D_POD_NOMINATED),
    wide("Readiness Gates", "string", D_POD_READINESS_GATES),
];

const POD_TEMPLATE_COLUMNS: &[Col] = &[
    NAME,
    col("Containers", "string", D_CONTAINERS),
    col("Images", "string", D_IMAGES),
    col("Pod Labels", "string", "The labels for the pod template."),
];

const PDB_COLUMNS: &[Col] = &[
    NAME,
    col(
        "Min Available",
        "string",
        "The minimum number of pods that must be available.",
    ),
    col(
        "Max Unavailable",
        "string",
        "The maximum number of pods that may be unavailable.",
    ),
    col(
        "Allowed Disruptions",
        "integer",
        "Calculated number of pods that may be disrupted at this time.",
    ),
    AGE,
];

const RC_COLUMNS: &[Col] = &[
    NAME,
    col("Desired", "integer", D_RC_SPEC_REPLICAS),
    col("Current", "integer", D_RC_STATUS_REPLICAS),
    col("Ready", "integer", D_RC_STATUS_READY),
    AGE,
    CONTAINERS_WIDE,
    IMAGES_WIDE,
    wide("Selector", "string", D_RC_SPEC_SELECTOR),
];

const RS_COLUMNS: &[Col] = &[
    NAME,
    col("Desired", "integer", D_RS_SPEC_REPLICAS),
    col("Current", "integer", D_RS_STATUS_REPLICAS),
    col("Ready", "integer", D_RS_STATUS_READY),
    AGE,
    CONTAINERS_WIDE,
    IMAGES_WIDE,
    wide("Selector", "string", D_RS_SPEC_SELECTOR),
];

const DS_COLUMNS: &[Col] = &[
    NAME,
    col("Desired", "integer", D_DS_DESIRED),
    col("Current", "integer", D_DS_CURRENT),
    col("Ready", "integer", D_DS_READY),
    col("Up-to-date", "integer", D_DS_UPDATED),
    col("Available", "integer", D_DS_AVAILABLE),
    col("Node Selector", "string", D_POD_NODE_SELECTOR),
    AGE,
    CONTAINERS_WIDE,
    IMAGES_WIDE,
    wide("Selector", "string", D_DS_SELECTOR),
];

const JOB_COLUMNS: &[Col] = &[
    NAME,
    col("Status", "string", "Status of the job."),
    col("Completions", "string", D_JOB_SUCCEEDED),
    col("Duration", "string", "Time required to complete the job."),
    AGE,
    CONTAINERS_WIDE,
    IMAGES_WIDE,
    wide("Selector", "string", D_JOB_SELECTOR),
];

const CRONJOB_COLUMNS: &[Col] = &[
    NAME,
    col("Schedule", "string", D_CRONJOB_SCHEDULE),
    col("Timezone", "string", D_CRONJOB_TIMEZONE),
    col("Suspend", "boolean", D_CRONJOB_SUSPEND),
    col("Active", "integer", D_CRONJOB_ACTIVE),
    col("Last Schedule", "string", D_CRONJOB_LAST_SCHEDULE),
    AGE,
    CONTAINERS_WIDE,
    IMAGES_WIDE,
    wide("Selector", "string", D_JOB_SELECTOR),
];

const SERVICE_COLUMNS: &[Col] = &[
    NAME,
    col("Type", "string", D_SVC_TYPE),
    col("Cluster-IP", "string", D_SVC_CLUSTER_IP),
    col("External-IP", "string", D_SVC_EXTERNAL_IPS),
    col("Port(s)", "string", D_SVC_PORTS),
    AGE,
    wide("Selector", "string", D_SVC_SELECTOR),
];

const INGRESS_COLUMNS: &[Col] = &[
    NAME,
    col(
        "Class",
        "string",
        "The name of the IngressClass resource that should be used for additional configuration",
    ),
    col(
        "Hosts",
        "string",
        "Hosts that incoming requests are matched against before the ingress rule",
    ),
    col(
        "Address",
        "string",
        "Address is a list containing ingress points for the load-balancer",
    ),
    col("Ports", "string", "Ports of TLS configurations that open"),
    AGE,
];

const INGRESS_CLASS_COLUMNS: &[Col] = &[
    NAME,
    col(
        "Controller",
        "string",
        "Controller that is responsible for handling this class",
    ),
    col(
        "Parameters",
        "string",
        "A reference to a resource with additional parameters",
    ),
    AGE,
];

const STATEFULSET_COLUMNS: &[Col] = &[
    NAME,
    col("Ready", "string", "Number of the pod with ready state"),
    AGE,
    CONTAINERS_WIDE,
    IMAGES_WIDE,
];

const ENDPOINTS_COLUMNS: &[Col] = &[NAME, col("Endpoints", "string", D_ENDPOINTS_SUBSETS), AGE];

const NODE_COLUMNS: &[Col] = &[
    NAME,
    col("Status", "string", "The status of the node"),
    col("Roles", "string", "The roles of the node"),
    AGE,
    col("Version", "string", D_NODE_KUBELET_VERSION),
    wide("Internal-IP", "string", D_NODE_ADDRESSES),
    wide("External-IP", "string", D_NODE_ADDRESSES),
    wide("OS-Image", "string", D_NODE_OS_IMAGE),
    wide("Kernel-Version", "string", D_NODE_KERNEL),
    wide("Container-Runtime", "string", D_NODE_RUNTIME),
];

const EVENT_COLUMNS: &[Col] = &[
    col("Last Seen", "string", D_EVENT_LAST),
    col("Type", "string", D_EVENT_TYPE),
    col("Reason", "string", D_EVENT_REASON),
    col("Object", "string", D_EVENT_INVOLVED),
    wide("Subobject", "string", D_EVENT_FIELD_PATH),
    wide("Source", "string", D_EVENT_SOURCE),
    col("Message", "string", D_EVENT_MESSAGE),
    wide("First Seen", "string", D_EVENT_FIRST),
    wide("Count", "string", D_EVENT_COUNT),
    Col {
        priority: 1,
        ..NAME
    },
];

const NAMESPACE_COLUMNS: &[Col] = &[
    NAME,
    col("Status", "string", "The status of the namespace"),
    AGE,
];

const SECRET_COLUMNS: &[Col] = &[
    NAME,
    col("Type", "string", D_SECRET_TYPE),
    col("Data", "string", D_SECRET_DATA),
    AGE,
];

const SERVICE_ACCOUNT_COLUMNS: &[Col] = &[NAME, col("Secrets", "string", D_SA_SECRETS), AGE];

const PV_COLUMNS: &[Col] = &[
    NAME,
    col("Capacity", "string", D_PV_CAPACITY),
    col("Access Modes", "string", D_PV_ACCESS_MODES),
    col("Reclaim Policy", "string", D_PV_RECLAIM),
    col("Status", "string", D_PV_PHASE),
    col("Claim", "string", D_PV_CLAIM),
    col("StorageClass", "string", "StorageClass of the pv"),
    col(
        "VolumeAttributesClass",
        "string",
        "VolumeAttributesClass of the pv",
    ),
    col("Reason", "string", D_PV_REASON),
    AGE,
    wide("VolumeMode", "string", D_PV_VOLUME_MODE),
];

const PVC_COLUMNS: &[Col] = &[
    NAME,
    col("Status", "string", D_PVC_PHASE),
    col("Volume", "string", D_PVC_VOLUME_NAME),
    col("Capacity", "string", D_PVC_CAPACITY),
    col("Access Modes", "string", D_PVC_ACCESS_MODES),
    col("StorageClass", "string", "StorageClass of the pvc"),
    col(
        "VolumeAttributesClass",
        "string",
        "VolumeAttributesClass of the pvc",
    ),
    AGE,
    wide("VolumeMode", "string", D_PVC_VOLUME_MODE),
];

const COMPONENT_STATUS_COLUMNS: &[Col] = &[
    NAME,
    col("Status", "string", "Status of the component conditions"),
    col("Message", "string", "Message of the component conditions"),
    col("Error", "string", "Error of the component conditions"),
];

const DEPLOYMENT_COLUMNS: &[Col] = &[
    NAME,
    col("Ready", "string", "Number of the pod with ready state"),
    col("Up-to-date", "string", D_DEPLOY_UPDATED),
    col("Available", "string", D_DEPLOY_AVAILABLE),
    AGE,
    CONTAINERS_WIDE,
    IMAGES_WIDE,
    wide("Selector", "string", D_DEPLOY_SELECTOR),
];

const HPA_COLUMNS: &[Col] = &[
    NAME,
    col("Reference", "string", D_HPA_REF),
    col("Targets", "string", D_HPA_METRICS),
    col("MinPods", "string", D_HPA_MIN),
    col("MaxPods", "string", D_HPA_MAX),
    col("Replicas", "string", D_HPA_CURRENT),
    AGE,
];

const CONFIGMAP_COLUMNS: &[Col] = &[NAME, col("Data", "string", D_CONFIGMAP_DATA), AGE];

const NETWORK_POLICY_COLUMNS: &[Col] = &[
    NAME,
    col("Pod-Selector", "string", D_NETPOL_POD_SELECTOR),
    AGE,
];

const ROLE_BINDING_COLUMNS: &[Col] = &[
    NAME,
    col("Role", "string", D_RB_ROLE_REF),
    AGE,
    wide("Users", "string", "Users in the roleBinding"),
    wide("Groups", "string", "Groups in the roleBinding"),
    wide(
        "ServiceAccounts",
        "string",
        "ServiceAccounts in the roleBinding",
    ),
];

const CLUSTER_ROLE_BINDING_COLUMNS: &[Col] = &[
    NAME,
    col("Role", "string", D_CRB_ROLE_REF),
    AGE,
    wide("Users", "string", "Users in the clusterRoleBinding"),
    wide("Groups", "string", "Groups in the clusterRoleBinding"),
    wide(
        "ServiceAccounts",
        "string",
        "ServiceAccounts in the clusterRoleBinding",
    ),
];

const CSR_COLUMNS: &[Col] = &[
    NAME,
    AGE,
    col("SignerName", "string", D_CSR_SIGNER),
    col("Requestor", "string", D_CSR_REQUEST),
    col("RequestedDuration", "string", D_CSR_EXPIRATION),
    col("Condition", "string", D_CSR_CONDITIONS),
];

const LEASE_COLUMNS: &[Col] = &[NAME, col("Holder", "string", D_LEASE_HOLDER), AGE];

const STORAGE_CLASS_COLUMNS: &[Col] = &[
    NAME,
    col("Provisioner", "string", D_SC_PROVISIONER),
    col("ReclaimPolicy", "string", D_SC_RECLAIM),
    col("VolumeBindingMode", "string", D_SC_BINDING_MODE),
    col("AllowVolumeExpansion", "string", D_SC_EXPANSION),
    AGE,
];

const VOLUME_ATTRIBUTES_CLASS_COLUMNS: &[Col] =
    &[NAME, col("DriverName", "string", D_VAC_DRIVER), AGE];

const CONTROLLER_REVISION_COLUMNS: &[Col] = &[
    NAME,
    col("Controller", "string", "Controller of the object"),
    col("Revision", "string", D_CONTROLLER_REVISION),
    AGE,
];

const RESOURCE_QUOTA_COLUMNS: &[Col] = &[
    NAME,
    col(
        "Request",
        "string",
        "Request represents a minimum amount of cpu/memory that a container may consume.",
    ),
    col(
        "Limit",
        "string",
        "Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node.",
    ),
    AGE,
];

const PRIORITY_CLASS_COLUMNS: &[Col] = &[
    NAME,
    col("Value", "integer", D_PC_VALUE),
    col("Global-Default", "boolean", D_PC_GLOBAL_DEFAULT),
    AGE,
    col("PreemptionPolicy", "string", D_PC_PREEMPTION),
];

// Upstream describes Handler with `ObjectMeta{}.SwaggerDoc()["handler"]`, which is empty.
const RUNTIME_CLASS_COLUMNS: &[Col] = &[NAME, col("Handler", "string", ""), AGE];

const VOLUME_ATTACHMENT_COLUMNS: &[Col] = &[
    NAME,
    Col {
        format: "name",
        ..col("Attacher", "string", D_VA_ATTACHER)
    },
    col("PV", "string", D_VA_PV),
    col("Node", "string", D_VA_NODE),
    col("Attached", "boolean", D_VA_ATTACHED),
    AGE,
];

const ENDPOINT_SLICE_COLUMNS: &[Col] = &[
    NAME,
    col("AddressType", "string", D_EPS_ADDRESS_TYPE),
    col("Ports", "string", D_EPS_PORTS),
    col("Endpoints", "string", D_EPS_ENDPOINTS),
    AGE,
];

const CSI_NODE_COLUMNS: &[Col] = &[
    NAME,
    col(
        "Drivers",
        "integer",
        "Drivers indicates the number of CSI drivers registered on the node",
    ),
    AGE,
];

const CSI_DRIVER_COLUMNS: &[Col] = &[
    NAME,
    col("AttachRequired", "boolean", D_CSID_ATTACH),
    col("PodInfoOnMount", "boolean", D_CSID_POD_INFO),
    col("StorageCapacity", "boolean", D_CSID_CAPACITY),
    col("TokenRequests", "string", D_CSID_TOKEN),
    col("RequiresRepublish", "boolean", D_CSID_REPUBLISH),
    col("Modes", "string", D_CSID_MODES),
    AGE,
];

const CSI_STORAGE_CAPACITY_COLUMNS: &[Col] = &[
    NAME,
    col("StorageClassName", "string", D_CSISC_CLASS),
    col("Capacity", "string", D_CSISC_CAPACITY),
];

const D_WEBHOOKS: &str =
    "Webhooks indicates the number of webhooks registered in this configuration";
const WEBHOOK_COLUMNS: &[Col] = &[NAME, col("Webhooks", "integer", D_WEBHOOKS), AGE];

const VAP_COLUMNS: &[Col] = &[
    NAME,
    col(
        "Validations",
        "integer",
        "Validations indicates the number of validation rules defined in this configuration",
    ),
    col(
        "ParamKind",
        "string",
        "ParamKind specifies the kind of resources used to parameterize this policy",
    ),
    AGE,
];

const VAP_BINDING_COLUMNS: &[Col] = &[
    NAME,
    col(
        "PolicyName",
        "string",
        "PolicyName indicates the policy definition which the policy binding binded to",
    ),
    col(
        "ParamRef",
        "string",
        "ParamRef indicates the param resource which sets the configration param",
    ),
    AGE,
];

const FLOW_SCHEMA_COLUMNS: &[Col] = &[
    NAME,
    col("PriorityLevel", "string", D_FS_PL),
    col("MatchingPrecedence", "string", D_FS_PRECEDENCE),
    col("DistinguisherMethod", "string", D_FS_DISTINGUISHER),
    AGE,
    col(
        "MissingPL",
        "string",
        "references a broken or non-existent PriorityLevelConfiguration",
    ),
];

const PRIORITY_LEVEL_COLUMNS: &[Col] = &[
    NAME,
    col("Type", "string", D_PL_TYPE),
    col("NominalConcurrencyShares", "string", D_PL_NCS),
    col("Queues", "string", D_PL_QUEUES),
    col("HandSize", "string", D_PL_HAND),
    col("QueueLengthLimit", "string", D_PL_QLL),
    AGE,
];

const SERVICE_CIDR_COLUMNS: &[Col] = &[NAME, col("CIDRs", "string", D_SERVICE_CIDR_CIDRS), AGE];

// Upstream defines two columns but its rows carry a third cell (the age); kept as is.
const IP_ADDRESS_COLUMNS: &[Col] = &[NAME, col("ParentRef", "string", D_IPADDRESS_PARENT)];

const API_SERVICE_COLUMNS: &[Col] = &[
    NAME,
    col(
        "Service",
        "string",
        "The reference to the service that hosts this API endpoint.",
    ),
    col("Available", "string", "Whether this service is available."),
    AGE,
];

const DEFAULT_COLUMNS: &[Col] = &[NAME, col("Created At", "date", D_META_CREATION)];

// ---------------------------------------------------------------------------------------------
// Kind dispatch
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Printer {
    Pod,
    PodTemplate,
    PodDisruptionBudget,
    ReplicationController,
    ReplicaSet,
    DaemonSet,
    Job,
    CronJob,
    Service,
    Ingress,
    IngressClass,
    StatefulSet,
    Endpoints,
    Node,
    Event,
    Namespace,
    Secret,
    ServiceAccount,
    PersistentVolume,
    PersistentVolumeClaim,
    ComponentStatus,
    Deployment,
    HorizontalPodAutoscaler,
    ConfigMap,
    NetworkPolicy,
    RoleBinding,
    ClusterRoleBinding,
    CertificateSigningRequest,
    Lease,
    StorageClass,
    VolumeAttributesClass,
    ControllerRevision,
    ResourceQuota,
    PriorityClass,
    RuntimeClass,
    VolumeAttachment,
    EndpointSlice,
    CsiNode,
    CsiDriver,
    CsiStorageCapacity,
    Webhook,
    ValidatingAdmissionPolicy,
    ValidatingAdmissionPolicyBinding,
    FlowSchema,
    PriorityLevelConfiguration,
    ServiceCidr,
    IpAddress,
    ApiService,
    Default,
}

impl Printer {
    fn of(api_version: &str, kind: &str) -> Printer {
        let group = match api_version.split_once('/') {
            Some((g, _)) => g,
            None => "",
        };
        match (group, kind) {
            ("", "Pod") => Printer::Pod,
            ("", "PodTemplate") => Printer::PodTemplate,
            ("", "ReplicationController") => Printer::ReplicationController,
            ("", "Service") => Printer::Service,
            ("", "Endpoints") => Printer::Endpoints,
            ("", "Node") => Printer::Node,
            ("", "Event") | ("events.k8s.io", "Event") => Printer::Event,
            ("", "Namespace") => Printer::Namespace,
            ("", "Secret") => Printer::Secret,
            ("", "ServiceAccount") => Printer::ServiceAccount,
            ("", "PersistentVolume") => Printer::PersistentVolume,
            ("", "PersistentVolumeClaim") => Printer::PersistentVolumeClaim,
            ("", "ComponentStatus") => Printer::ComponentStatus,
            ("", "ConfigMap") => Printer::ConfigMap,
            ("", "ResourceQuota") => Printer::ResourceQuota,
            ("policy", "PodDisruptionBudget") => Printer::PodDisruptionBudget,
            ("apps" | "extensions", "ReplicaSet") => Printer::ReplicaSet,
            ("apps" | "extensions", "DaemonSet") => Printer::DaemonSet,
            ("apps" | "extensions", "Deployment") => Printer::Deployment,
            ("apps", "StatefulSet") => Printer::StatefulSet,
            ("apps", "ControllerRevision") => Printer::ControllerRevision,
            ("batch", "Job") => Printer::Job,
            ("batch", "CronJob") => Printer::CronJob,
            ("networking.k8s.io" | "extensions", "Ingress") => Printer::Ingress,
            ("networking.k8s.io", "IngressClass") => Printer::IngressClass,
            ("networking.k8s.io" | "extensions", "NetworkPolicy") => Printer::NetworkPolicy,
            ("networking.k8s.io", "ServiceCIDR") => Printer::ServiceCidr,
            ("networking.k8s.io", "IPAddress") => Printer::IpAddress,
            ("autoscaling", "HorizontalPodAutoscaler") => Printer::HorizontalPodAutoscaler,
            ("rbac.authorization.k8s.io", "RoleBinding") => Printer::RoleBinding,
            ("rbac.authorization.k8s.io", "ClusterRoleBinding") => Printer::ClusterRoleBinding,
            ("certificates.k8s.io", "CertificateSigningRequest") => {
                Printer::CertificateSigningRequest
            }
            ("coordination.k8s.io", "Lease") => Printer::Lease,
            ("storage.k8s.io", "StorageClass") => Printer::StorageClass,
            ("storage.k8s.io", "VolumeAttributesClass") => Printer::VolumeAttributesClass,
            ("storage.k8s.io", "VolumeAttachment") => Printer::VolumeAttachment,
            ("storage.k8s.io", "CSINode") => Printer::CsiNode,
            ("storage.k8s.io", "CSIDriver") => Printer::CsiDriver,
            ("storage.k8s.io", "CSIStorageCapacity") => Printer::CsiStorageCapacity,
            ("scheduling.k8s.io", "PriorityClass") => Printer::PriorityClass,
            ("node.k8s.io", "RuntimeClass") => Printer::RuntimeClass,
            ("discovery.k8s.io", "EndpointSlice") => Printer::EndpointSlice,
            (
                "admissionregistration.k8s.io",
                "MutatingWebhookConfiguration" | "ValidatingWebhookConfiguration",
            ) => Printer::Webhook,
            ("admissionregistration.k8s.io", "ValidatingAdmissionPolicy") => {
                Printer::ValidatingAdmissionPolicy
            }
            ("admissionregistration.k8s.io", "ValidatingAdmissionPolicyBinding") => {
                Printer::ValidatingAdmissionPolicyBinding
            }
            ("flowcontrol.apiserver.k8s.io", "FlowSchema") => Printer::FlowSchema,
            ("flowcontrol.apiserver.k8s.io", "PriorityLevelConfiguration") => {
                Printer::PriorityLevelConfiguration
            }
            ("apiregistration.k8s.io", "APIService") => Printer::ApiService,
            // Role, ClusterRole, LimitRange, CustomResourceDefinition, ... use the generic
            // default table convertor upstream too.
            _ => Printer::Default,
        }
    }

    fn columns(self) -> &'static [Col] {
        match self {
            Printer::Pod => POD_COLUMNS,
            Printer::PodTemplate => POD_TEMPLATE_COLUMNS,
            Printer::PodDisruptionBudget => PDB_COLUMNS,
            Printer::ReplicationController => RC_COLUMNS,
            Printer::ReplicaSet => RS_COLUMNS,
            Printer::DaemonSet => DS_COLUMNS,
            Printer::Job => JOB_COLUMNS,
            Printer::CronJob => CRONJOB_COLUMNS,
            Printer::Service => SERVICE_COLUMNS,
            Printer::Ingress => INGRESS_COLUMNS,
            Printer::IngressClass => INGRESS_CLASS_COLUMNS,
            Printer::StatefulSet => STATEFULSET_COLUMNS,
            Printer::Endpoints => ENDPOINTS_COLUMNS,
            Printer::Node => NODE_COLUMNS,
            Printer::Event => EVENT_COLUMNS,
            Printer::Namespace => NAMESPACE_COLUMNS,
            Printer::Secret => SECRET_COLUMNS,
            Printer::ServiceAccount => SERVICE_ACCOUNT_COLUMNS,
            Printer::PersistentVolume => PV_COLUMNS,
            Printer::PersistentVolumeClaim => PVC_COLUMNS,
            Printer::ComponentStatus => COMPONENT_STATUS_COLUMNS,
            Printer::Deployment => DEPLOYMENT_COLUMNS,
            Printer::HorizontalPodAutoscaler => HPA_COLUMNS,
            Printer::ConfigMap => CONFIGMAP_COLUMNS,
            Printer::NetworkPolicy => NETWORK_POLICY_COLUMNS,
            Printer::RoleBinding => ROLE_BINDING_COLUMNS,
            Printer::ClusterRoleBinding => CLUSTER_ROLE_BINDING_COLUMNS,
            Printer::CertificateSigningRequest => CSR_COLUMNS,
            Printer::Lease => LEASE_COLUMNS,
            Printer::StorageClass => STORAGE_CLASS_COLUMNS,
            Printer::VolumeAttributesClass => VOLUME_ATTRIBUTES_CLASS_COLUMNS,
            Printer::ControllerRevision => CONTROLLER_REVISION_COLUMNS,
            Printer::ResourceQuota => RESOURCE_QUOTA_COLUMNS,
            Printer::PriorityClass => PRIORITY_CLASS_COLUMNS,
            Printer::RuntimeClass => RUNTIME_CLASS_COLUMNS,
            Printer::VolumeAttachment => VOLUME_ATTACHMENT_COLUMNS,
            Printer::EndpointSlice => ENDPOINT_SLICE_COLUMNS,
            Printer::CsiNode => CSI_NODE_COLUMNS,
            Printer::CsiDriver => CSI_DRIVER_COLUMNS,
            Printer::CsiStorageCapacity => CSI_STORAGE_CAPACITY_COLUMNS,
            Printer::Webhook => WEBHOOK_COLUMNS,
            Printer::ValidatingAdmissionPolicy => VAP_COLUMNS,
            Printer::ValidatingAdmissionPolicyBinding => VAP_BINDING_COLUMNS,
            Printer::FlowSchema => FLOW_SCHEMA_COLUMNS,
            Printer::PriorityLevelConfiguration => PRIORITY_LEVEL_COLUMNS,
            Printer::ServiceCidr => SERVICE_CIDR_COLUMNS,
            Printer::IpAddress => IP_ADDRESS_COLUMNS,
            Printer::ApiService => API_SERVICE_COLUMNS,
            Printer::Default => DEFAULT_COLUMNS,
        }
    }

    fn row(self, api_version: &str, o: &Value, now: Timestamp) -> Row {
        match self {
            Printer::Pod => pod_row(o, now),
            Printer::PodTemplate => pod_template_row(o),
            Printer::PodDisruptionBudget => pdb_row(o, now),
            Printer::ReplicationController => rc_row(o, now),
            Printer::ReplicaSet => rs_row(o, now),
            Printer::DaemonSet => ds_row(o, now),
            Printer::Job => job_row(o, now),
            Printer::CronJob => cronjob_row(o, now),
            Printer::Service => service_row(o, now),
            Printer::Ingress => ingress_row(o, now),
            Printer::IngressClass => ingress_class_row(o, now),
            Printer::StatefulSet => statefulset_row(o, now),
            Printer::Endpoints => endpoints_row(o, now),
            Printer::Node => node_row(o, now),
            Printer::Event => event_row(api_version, o, now),
            Printer::Namespace => namespace_row(o, now),
            Printer::Secret => secret_row(o, now),
            Printer::ServiceAccount => Row::new(vec![
                name_cell(o),
                Value::from(arr_at(o, "/secrets").len()),
                age_cell(o, now),
            ]),
            Printer::PersistentVolume => pv_row(o, now),
            Printer::PersistentVolumeClaim => pvc_row(o, now),
            Printer::ComponentStatus => component_status_row(o),
            Printer::Deployment => deployment_row(o, now),
            Printer::HorizontalPodAutoscaler => hpa_row(api_version, o, now),
            Printer::ConfigMap => Row::new(vec![
                name_cell(o),
                Value::from(map_len(o, "/data") + map_len(o, "/binaryData")),
                age_cell(o, now),
            ]),
            Printer::NetworkPolicy => Row::new(vec![
                name_cell(o),
                Value::from(format_label_selector(Some(
                    o.pointer("/spec/podSelector").unwrap_or(&Value::Null),
                ))),
                age_cell(o, now),
            ]),
            Printer::RoleBinding | Printer::ClusterRoleBinding => role_binding_row(o, now),
            Printer::CertificateSigningRequest => csr_row(o, now),
            Printer::Lease => Row::new(vec![
                name_cell(o),
                Value::from(str_at(o, "/spec/holderIdentity")),
                age_cell(o, now),
            ]),
            Printer::StorageClass => storage_class_row(o, now),
            Printer::VolumeAttributesClass => volume_attributes_class_row(o, now),
            Printer::ControllerRevision => controller_revision_row(o, now),
            Printer::ResourceQuota => resource_quota_row(o, now),
            Printer::PriorityClass => priority_class_row(o, now),
            Printer::RuntimeClass => Row::new(vec![
                name_cell(o),
                Value::from(str_at(o, "/handler")),
                age_cell(o, now),
            ]),
            Printer::VolumeAttachment => volume_attachment_row(o, now),
            Printer::EndpointSlice => endpoint_slice_row(o, now),
            Printer::CsiNode => Row::new(vec![
                name_cell(o),
                Value::from(arr_at(o, "/spec/drivers").len()),
                age_cell(o, now),
            ]),
            Printer::CsiDriver => csi_driver_row(o, now),
            Printer::CsiStorageCapacity => Row::new(vec![
                name_cell(o),
                Value::from(str_at(o, "/storageClassName")),
                Value::from(match o.get("capacity") {
                    None | Some(Value::Null) => "<unset>".to_string(),
                    Some(q) => quantity_string(Some(q)),
                }),
            ]),
            Printer::Webhook => Row::new(vec![
                name_cell(o),
                Value::from(arr_at(o, "/webhooks").len()),
                age_cell(o, now),
            ]),
            Printer::ValidatingAdmissionPolicy => vap_row(o, now),
            Printer::ValidatingAdmissionPolicyBinding => vap_binding_row(o, now),
            Printer::FlowSchema => flow_schema_row(o, now),
            Printer::PriorityLevelConfiguration => priority_level_row(o, now),
            Printer::ServiceCidr => Row::new(vec![
                name_cell(o),
                Value::from(join_strs(arr_at(o, "/spec/cidrs"), ",")),
                age_cell(o, now),
            ]),
            Printer::IpAddress => ip_address_row(o, now),
            Printer::ApiService => api_service_row(o, now),
            Printer::Default => Row::new(vec![
                name_cell(o),
                Value::from(created_at(time_at(o, "/metadata/creationTimestamp"))),
            ]),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Field access (never panics; missing or mistyped fields read as Go zero values)
// ---------------------------------------------------------------------------------------------

fn str_at<'a>(v: &'a Value, ptr: &str) -> &'a str {
    v.pointer(ptr).and_then(Value::as_str).unwrap_or("")
}

fn str_of(v: &Value, key: &str) -> String {
    v.get(key).and_then(Value::as_str).unwrap_or("").to_string()
}

/// A string field that upstream defaulting sets when it is empty (non-pointer fields).
fn str_or(v: &Value, ptr: &str, default: &str) -> String {
    match str_at(v, ptr) {
        "" => default.to_string(),
        s => s.to_string(),
    }
}

fn as_int(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n
            .as_i64()
            .or_else(|| n.as_u64().map(|u| i64::try_from(u).unwrap_or(i64::MAX)))
            // Saturating float-to-int conversion, like a truncating cast.
            .or_else(|| n.as_f64().map(|f| f as i64)),
        _ => None,
    }
}

fn int_at(v: &Value, ptr: &str) -> Option<i64> {
    v.pointer(ptr).and_then(as_int)
}

fn bool_at(v: &Value, ptr: &str) -> Option<bool> {
    v.pointer(ptr).and_then(Value::as_bool)
}

fn arr_at<'a>(v: &'a Value, ptr: &str) -> &'a [Value] {
    match v.pointer(ptr) {
        Some(Value::Array(a)) => a.as_slice(),
        _ => &[],
    }
}

fn map_at<'a>(v: &'a Value, ptr: &str) -> Option<&'a Map<String, Value>> {
    v.pointer(ptr).and_then(Value::as_object)
}

fn map_len(v: &Value, ptr: &str) -> usize {
    map_at(v, ptr).map_or(0, Map::len)
}

/// A present, non-null JSON object (a non-nil pointer to a struct in Go).
fn obj_at<'a>(v: &'a Value, ptr: &str) -> Option<&'a Value> {
    v.pointer(ptr).filter(|x| x.is_object())
}

/// A present, non-null value (a non-nil pointer in Go).
fn present<'a>(v: &'a Value, ptr: &str) -> Option<&'a Value> {
    v.pointer(ptr).filter(|x| !x.is_null())
}

/// Go's zero `time.Time` (what `null`/missing timestamps decode to).
const ZERO_TIME_SECONDS: i64 = -62_135_596_800;

/// A timestamp field; `None` for missing, null, unparsable or the zero time.
fn time_at(v: &Value, ptr: &str) -> Option<Timestamp> {
    let s = v.pointer(ptr)?.as_str()?;
    let t: Timestamp = s.parse().ok()?;
    if t.as_second() == ZERO_TIME_SECONDS && t.subsec_nanosecond() == 0 {
        None
    } else {
        Some(t)
    }
}

fn name_of(o: &Value) -> &str {
    str_at(o, "/metadata/name")
}

fn name_cell(o: &Value) -> Value {
    Value::from(name_of(o))
}

/// `translateTimestampSince`: "<unknown>" for the zero time, else the human age.
fn since(t: Option<Timestamp>, now: Timestamp) -> String {
    match t {
        None => "<unknown>".to_string(),
        Some(t) => human_duration_nanos(now.as_nanosecond() - t.as_nanosecond()),
    }
}

fn age_cell(o: &Value, now: Timestamp) -> Value {
    Value::from(since(time_at(o, "/metadata/creationTimestamp"), now))
}

/// The default table's "Created At" cell: RFC 3339 in UTC, seconds precision.
fn created_at(t: Option<Timestamp>) -> String {
    match t {
        None => "0001-01-01T00:00:00Z".to_string(),
        Some(t) => t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string(),
    }
}

fn deleting(o: &Value) -> bool {
    present(o, "/metadata/deletionTimestamp").is_some()
}

/// A JSON scalar as Go would print it with `%v`/`String()`; used for label values and
/// quantities that arrive with the wrong JSON type.
fn scalar_string(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// `resource.Quantity.String()` of a stored (already canonical) quantity; "0" when absent.
fn quantity_string(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => "0".to_string(),
        Some(v) => scalar_string(v),
    }
}

/// `(*resource.Quantity).String()` of an optional quantity: "<nil>" when absent.
fn quantity_ptr_string(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => "<nil>".to_string(),
        Some(v) => scalar_string(v),
    }
}

/// `intstr.IntOrString.String()`.
fn int_or_string(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => as_int(other).unwrap_or(0).to_string(),
    }
}

fn join_strs(items: &[Value], sep: &str) -> String {
    items
        .iter()
        .map(scalar_string)
        .collect::<Vec<_>>()
        .join(sep)
}

/// `layoutContainerCells`: comma-joined container names and images.
fn container_cells(containers: &[Value]) -> (Value, Value) {
    let names: Vec<String> = containers.iter().map(|c| str_of(c, "name")).collect();
    let images: Vec<String> = containers.iter().map(|c| str_of(c, "image")).collect();
    (Value::from(names.join(",")), Value::from(images.join(",")))
}

/// `labels.FormatLabels`: sorted "k=v" pairs, "<none>" when empty.
fn format_labels(m: Option<&Map<String, Value>>) -> String {
    let mut pairs: Vec<String> = m
        .map(|m| {
            m.iter()
                .map(|(k, v)| format!("{k}={}", scalar_string(v)))
                .collect()
        })
        .unwrap_or_default();
    pairs.sort();
    if pairs.is_empty() {
        "<none>".to_string()
    } else {
        pairs.join(",")
    }
}

fn bool_str(b: bool) -> &'static str {
    if b { "True" } else { "False" }
}

// ---------------------------------------------------------------------------------------------
// Pods
// ---------------------------------------------------------------------------------------------

fn pod_row(pod: &Value, now: Timestamp) -> Row {
    let containers = arr_at(pod, "/spec/containers");
    let init_specs = arr_at(pod, "/spec/initContainers");
    let mut total = containers.len();
    // name -> restartable ("sidecar": restartPolicy Always)
    let mut init_restartable: BTreeMap<String, bool> = BTreeMap::new();
    for c in init_specs {
        let restartable = str_at(c, "/restartPolicy") == "Always";
        init_restartable.insert(str_of(c, "name"), restartable);
        if restartable {
            total += 1;
        }
    }

    let phase = str_at(pod, "/status/phase");
    let status_reason = str_at(pod, "/status/reason");
    let mut reason = if status_reason.is_empty() {
        phase.to_string()
    } else {
        status_reason.to_string()
    };
    let conditions = arr_at(pod, "/status/conditions");
    for c in conditions {
        if str_at(c, "/type") == "PodScheduled" && str_at(c, "/reason") == "SchedulingGated" {
            reason = "SchedulingGated".to_string();
        }
    }

    let row_conditions = match phase {
        "Succeeded" => Some(json!([{
            "type": "Completed", "status": "True", "reason": "Succeeded",
            "message": "The pod has completed successfully.",
        }])),
        "Failed" => Some(json!([{
            "type": "Completed", "status": "True", "reason": "Failed",
            "message": "The pod failed.",
        }])),
        _ => None,
    };

    let mut restarts: i64 = 0;
    let mut restartable_restarts: i64 = 0;
    let mut ready: i64 = 0;
    let mut last_restart: Option<Timestamp> = None;
    let mut last_restartable_restart: Option<Timestamp> = None;

    let mut initializing = false;
    for (i, c) in arr_at(pod, "/status/initContainerStatuses")
        .iter()
        .enumerate()
    {
        let count = int_at(c, "/restartCount").unwrap_or(0);
        restarts += count;
        let finished = last_terminated_at(c);
        bump_latest(&mut last_restart, finished);
        let restartable = init_restartable
            .get(str_at(c, "/name"))
            .copied()
            .unwrap_or(false);
        if restartable {
            restartable_restarts += count;
            bump_latest(&mut last_restartable_restart, finished);
        }
        let terminated = obj_at(c, "/state/terminated");
        let waiting = obj_at(c, "/state/waiting");
        if let Some(t) = terminated
            && int_at(t, "/exitCode").unwrap_or(0) == 0
        {
            continue;
        }
        if restartable && bool_at(c, "/started") == Some(true) {
            if bool_at(c, "/ready") == Some(true) {
                ready += 1;
            }
            continue;
        }
        if let Some(t) = terminated {
            let r = str_at(t, "/reason");
            reason = if !r.is_empty() {
                format!("Init:{r}")
            } else if int_at(t, "/signal").unwrap_or(0) != 0 {
                format!("Init:Signal:{}", int_at(t, "/signal").unwrap_or(0))
            } else {
                format!("Init:ExitCode:{}", int_at(t, "/exitCode").unwrap_or(0))
            };
        } else if let Some(w) = waiting.filter(|w| {
            let r = str_at(w, "/reason");
            !r.is_empty() && r != "PodInitializing"
        }) {
            reason = format!("Init:{}", str_at(w, "/reason"));
        } else {
            reason = format!("Init:{}/{}", i, init_specs.len());
        }
        initializing = true;
        break;
    }

    let initialized = conditions
        .iter()
        .find(|c| str_at(c, "/type") == "Initialized")
        .is_some_and(|c| str_at(c, "/status") == "True");
    if !initializing || initialized {
        restarts = restartable_restarts;
        last_restart = last_restartable_restart;
        let mut has_running = false;
        for c in arr_at(pod, "/status/containerStatuses").iter().rev() {
            restarts += int_at(c, "/restartCount").unwrap_or(0);
            bump_latest(&mut last_restart, last_terminated_at(c));
            let waiting_reason = obj_at(c, "/state/waiting").map(|w| str_at(w, "/reason"));
            let terminated = obj_at(c, "/state/terminated");
            if let Some(r) = waiting_reason.filter(|r| !r.is_empty()) {
                reason = r.to_string();
            } else if let Some(t) = terminated {
                let r = str_at(t, "/reason");
                reason = if !r.is_empty() {
                    r.to_string()
                } else if int_at(t, "/signal").unwrap_or(0) != 0 {
                    format!("Signal:{}", int_at(t, "/signal").unwrap_or(0))
                } else {
                    format!("ExitCode:{}", int_at(t, "/exitCode").unwrap_or(0))
                };
            } else if bool_at(c, "/ready") == Some(true) && obj_at(c, "/state/running").is_some() {
                has_running = true;
                ready += 1;
            }
        }
        // Back to "Running" if at least one container still reports as running.
        if reason == "Completed" && has_running {
            let pod_ready = conditions
                .iter()
                .any(|c| str_at(c, "/type") == "Ready" && str_at(c, "/status") == "True");
            reason = if pod_ready { "Running" } else { "NotReady" }.to_string();
        }
    }

    if deleting(pod) && status_reason == "NodeLost" {
        reason = "Unknown".to_string();
    } else if deleting(pod) && phase != "Failed" && phase != "Succeeded" {
        reason = "Terminating".to_string();
    }

    let restarts_str = match last_restart {
        Some(t) if restarts != 0 => format!("{restarts} ({} ago)", since(Some(t), now)),
        _ => restarts.to_string(),
    };

    // Wide columns. The internal PodIPs list starts with status.podIP when that is set.
    let mut pod_ip = str_at(pod, "/status/podIP").to_string();
    if pod_ip.is_empty() {
        pod_ip = arr_at(pod, "/status/podIPs")
            .first()
            .map(|p| str_at(p, "/ip").to_string())
            .unwrap_or_default();
    }
    let readiness_gates = arr_at(pod, "/spec/readinessGates");
    let gates = if readiness_gates.is_empty() {
        "<none>".to_string()
    } else {
        let true_conditions = readiness_gates
            .iter()
            .filter(|g| {
                let ty = str_at(g, "/conditionType");
                conditions
                    .iter()
                    .find(|c| str_at(c, "/type") == ty)
                    .is_some_and(|c| str_at(c, "/status") == "True")
            })
            .count();
        format!("{true_conditions}/{}", readiness_gates.len())
    };

    Row {
        cells: vec![
            name_cell(pod),
            Value::from(format!("{ready}/{total}")),
            Value::from(reason),
            Value::from(restarts_str),
            age_cell(pod, now),
            Value::from(or_none(&pod_ip)),
            Value::from(or_none(str_at(pod, "/spec/nodeName"))),
            Value::from(or_none(str_at(pod, "/status/nominatedNodeName"))),
            Value::from(gates),
        ],
        conditions: row_conditions,
    }
}

fn last_terminated_at(container_status: &Value) -> Option<Timestamp> {
    obj_at(container_status, "/lastState/terminated").and_then(|t| time_at(t, "/finishedAt"))
}

fn bump_latest(latest: &mut Option<Timestamp>, t: Option<Timestamp>) {
    if let Some(t) = t
        && latest.is_none_or(|l| l < t)
    {
        *latest = Some(t);
    }
}

fn or_none(s: &str) -> String {
    if s.is_empty() {
        "<none>".to_string()
    } else {
        s.to_string()
    }
}

fn pod_template_row(o: &Value) -> Row {
    let (names, images) = container_cells(arr_at(o, "/template/spec/containers"));
    Row::new(vec![
        name_cell(o),
        names,
        images,
        Value::from(format_labels(map_at(o, "/template/metadata/labels"))),
    ])
}

fn pdb_row(o: &Value, now: Timestamp) -> Row {
    let min = present(o, "/spec/minAvailable").map_or_else(|| "N/A".to_string(), int_or_string);
    let max = present(o, "/spec/maxUnavailable").map_or_else(|| "N/A".to_string(), int_or_string);
    Row::new(vec![
        name_cell(o),
        Value::from(min),
        Value::from(max),
        Value::from(int_at(o, "/status/disruptionsAllowed").unwrap_or(0)),
        age_cell(o, now),
    ])
}

// ---------------------------------------------------------------------------------------------
// Workloads
// ---------------------------------------------------------------------------------------------

/// `spec.replicas`, defaulted to 1 like upstream defaulting does for every workload kind.
fn replicas(o: &Value) -> i64 {
    int_at(o, "/spec/replicas").unwrap_or(1)
}

fn rc_row(o: &Value, now: Timestamp) -> Row {
    let (names, images) = container_cells(arr_at(o, "/spec/template/spec/containers"));
    Row::new(vec![
        name_cell(o),
        Value::from(replicas(o)),
        Value::from(int_at(o, "/status/replicas").unwrap_or(0)),
        Value::from(int_at(o, "/status/readyReplicas").unwrap_or(0)),
        age_cell(o, now),
        names,
        images,
        Value::from(format_labels(map_at(o, "/spec/selector"))),
    ])
}

fn rs_row(o: &Value, now: Timestamp) -> Row {
    let (names, images) = container_cells(arr_at(o, "/spec/template/spec/containers"));
    Row::new(vec![
        name_cell(o),
        Value::from(replicas(o)),
        Value::from(int_at(o, "/status/replicas").unwrap_or(0)),
        Value::from(int_at(o, "/status/readyReplicas").unwrap_or(0)),
        age_cell(o, now),
        names,
        images,
        Value::from(format_label_selector(o.pointer("/spec/selector"))),
    ])
}

fn deployment_row(o: &Value, now: Timestamp) -> Row {
    let (names, images) = container_cells(arr_at(o, "/spec/template/spec/containers"));
    let selector = match label_selector_string(o.pointer("/spec/selector")) {
        Ok(s) => s,
        Err(()) => "<invalid>".to_string(),
    };
    Row::new(vec![
        name_cell(o),
        Value::from(format!(
            "{}/{}",
            int_at(o, "/status/readyReplicas").unwrap_or(0),
            replicas(o)
        )),
        Value::from(int_at(o, "/status/updatedReplicas").unwrap_or(0)),
        Value::from(int_at(o, "/status/availableReplicas").unwrap_or(0)),
        age_cell(o, now),
        names,
        images,
        Value::from(selector),
    ])
}

fn statefulset_row(o: &Value, now: Timestamp) -> Row {
    let (names, images) = container_cells(arr_at(o, "/spec/template/spec/containers"));
    Row::new(vec![
        name_cell(o),
        Value::from(format!(
            "{}/{}",
            int_at(o, "/status/readyReplicas").unwrap_or(0),
            replicas(o)
        )),
        age_cell(o, now),
        names,
        images,
    ])
}

fn ds_row(o: &Value, now: Timestamp) -> Row {
    let (names, images) = container_cells(arr_at(o, "/spec/template/spec/containers"));
    Row::new(vec![
        name_cell(o),
        Value::from(int_at(o, "/status/desiredNumberScheduled").unwrap_or(0)),
        Value::from(int_at(o, "/status/currentNumberScheduled").unwrap_or(0)),
        Value::from(int_at(o, "/status/numberReady").unwrap_or(0)),
        Value::from(int_at(o, "/status/updatedNumberScheduled").unwrap_or(0)),
        Value::from(int_at(o, "/status/numberAvailable").unwrap_or(0)),
        Value::from(format_labels(map_at(o, "/spec/template/spec/nodeSelector"))),
        age_cell(o, now),
        names,
        images,
        Value::from(format_label_selector(o.pointer("/spec/selector"))),
    ])
}

/// `hasJobCondition`: the first condition of that type decides.
fn has_condition(conditions: &[Value], ty: &str) -> bool {
    conditions
        .iter()
        .find(|c| str_at(c, "/type") == ty)
        .is_some_and(|c| str_at(c, "/status") == "True")
}

fn job_row(o: &Value, now: Timestamp) -> Row {
    let succeeded = int_at(o, "/status/succeeded").unwrap_or(0);
    let completions = match int_at(o, "/spec/completions") {
        Some(c) => format!("{succeeded}/{c}"),
        None => {
            let parallelism = int_at(o, "/spec/parallelism").unwrap_or(0);
            if parallelism > 1 {
                format!("{succeeded}/1 of {parallelism}")
            } else {
                format!("{succeeded}/1")
            }
        }
    };
    let start = time_at(o, "/status/startTime");
    let duration = match (start, time_at(o, "/status/completionTime")) {
        (None, _) => String::new(),
        (Some(s), None) => since(Some(s), now),
        (Some(s), Some(c)) => human_duration_nanos(c.as_nanosecond() - s.as_nanosecond()),
    };
    let conditions = arr_at(o, "/status/conditions");
    let status = if has_condition(conditions, "Complete") {
        "Complete"
    } else if has_condition(conditions, "Failed") {
        "Failed"
    } else if deleting(o) {
        "Terminating"
    } else if has_condition(conditions, "Suspended") {
        "Suspended"
    } else if has_condition(conditions, "FailureTarget") {
        "FailureTarget"
    } else {
        "Running"
    };
    let (names, images) = container_cells(arr_at(o, "/spec/template/spec/containers"));
    Row::new(vec![
        name_cell(o),
        Value::from(status),
        Value::from(completions),
        Value::from(duration),
        age_cell(o, now),
        names,
        images,
        Value::from(format_label_selector(o.pointer("/spec/selector"))),
    ])
}

fn cronjob_row(o: &Value, now: Timestamp) -> Row {
    let last_schedule = match time_at(o, "/status/lastScheduleTime") {
        Some(t) => since(Some(t), now),
        // A present but zero time prints "<unknown>", an absent one "<none>".
        None if present(o, "/status/lastScheduleTime").is_some() => "<unknown>".to_string(),
        None => "<none>".to_string(),
    };
    let time_zone = match present(o, "/spec/timeZone") {
        Some(v) => scalar_string(v),
        None => "<none>".to_string(),
    };
    // Defaulting sets spec.suspend to false.
    let suspend = bool_str(bool_at(o, "/spec/suspend").unwrap_or(false));
    let (names, images) =
        container_cells(arr_at(o, "/spec/jobTemplate/spec/template/spec/containers"));
    Row::new(vec![
        name_cell(o),
        Value::from(str_at(o, "/spec/schedule")),
        Value::from(time_zone),
        Value::from(suspend),
        Value::from(arr_at(o, "/status/active").len()),
        Value::from(last_schedule),
        age_cell(o, now),
        names,
        images,
        Value::from(format_label_selector(
            o.pointer("/spec/jobTemplate/spec/selector"),
        )),
    ])
}

fn controller_revision_row(o: &Value, now: Timestamp) -> Row {
    let controller = arr_at(o, "/metadata/ownerReferences")
        .iter()
        .find(|r| bool_at(r, "/controller") == Some(true));
    let controller_name = match controller {
        None => "<none>".to_string(),
        Some(r) => {
            let group = match str_at(r, "/apiVersion").split_once('/') {
                Some((g, _)) => g,
                None => "",
            };
            let kind = str_at(r, "/kind");
            let name = str_at(r, "/name");
            if group.is_empty() && kind.is_empty() {
                name.to_string()
            } else if group.is_empty() {
                format!("{}/{name}", kind.to_lowercase())
            } else {
                format!("{}.{}/{name}", kind.to_lowercase(), group.to_lowercase())
            }
        }
    };
    Row::new(vec![
        name_cell(o),
        Value::from(controller_name),
        Value::from(int_at(o, "/revision").unwrap_or(0)),
        age_cell(o, now),
    ])
}

// ---------------------------------------------------------------------------------------------
// Services and networking
// ---------------------------------------------------------------------------------------------

/// `loadBalancerStatusStringer` (wide: never truncated): sorted unique IPs/hostnames.
fn load_balancer_ingress(o: &Value, ptr: &str) -> String {
    let set: BTreeSet<String> = arr_at(o, ptr)
        .iter()
        .filter_map(|i| {
            let ip = str_at(i, "/ip");
            let host = str_at(i, "/hostname");
            if !ip.is_empty() {
                Some(ip.to_string())
            } else if !host.is_empty() {
                Some(host.to_string())
            } else {
                None
            }
        })
        .collect();
    set.into_iter().collect::<Vec<_>>().join(",")
}

fn service_row(o: &Value, now: Timestamp) -> Row {
    // Defaulting sets an empty type to ClusterIP.
    let svc_type = str_or(o, "/spec/type", "ClusterIP");
    let svc_type = svc_type.as_str();
    let mut cluster_ip = str_at(o, "/spec/clusterIP").to_string();
    if cluster_ip.is_empty() {
        cluster_ip = arr_at(o, "/spec/clusterIPs")
            .first()
            .map(scalar_string)
            .unwrap_or_default();
    }
    let external_ips: Vec<String> = arr_at(o, "/spec/externalIPs")
        .iter()
        .map(scalar_string)
        .collect();
    let external = match svc_type {
        "ClusterIP" | "NodePort" => {
            if external_ips.is_empty() {
                "<none>".to_string()
            } else {
                external_ips.join(",")
            }
        }
        "LoadBalancer" => {
            let lb = load_balancer_ingress(o, "/status/loadBalancer/ingress");
            if !external_ips.is_empty() {
                let mut all: Vec<String> = Vec::new();
                if !lb.is_empty() {
                    all.extend(lb.split(',').map(str::to_string));
                }
                all.extend(external_ips);
                all.join(",")
            } else if !lb.is_empty() {
                lb
            } else {
                "<pending>".to_string()
            }
        }
        "ExternalName" => str_at(o, "/spec/externalName").to_string(),
        _ => "<unknown>".to_string(),
    };
    let ports: Vec<String> = arr_at(o, "/spec/ports")
        .iter()
        .map(|p| {
            let port = int_at(p, "/port").unwrap_or(0);
            let protocol = match str_at(p, "/protocol") {
                "" => "TCP",
                proto => proto,
            };
            match int_at(p, "/nodePort").unwrap_or(0) {
                n if n > 0 => format!("{port}:{n}/{protocol}"),
                _ => format!("{port}/{protocol}"),
            }
        })
        .collect();
    let ports = if ports.is_empty() {
        "<none>".to_string()
    } else {
        ports.join(",")
    };
    Row::new(vec![
        name_cell(o),
        Value::from(svc_type),
        Value::from(or_none(&cluster_ip)),
        Value::from(external),
        Value::from(ports),
        age_cell(o, now),
        Value::from(format_labels(map_at(o, "/spec/selector"))),
    ])
}

/// `net.JoinHostPort`.
fn join_host_port(host: &str, port: i64) -> String {
    if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

fn endpoints_row(o: &Value, now: Timestamp) -> Row {
    Row::new(vec![
        name_cell(o),
        Value::from(format_endpoints(arr_at(o, "/subsets"))),
        age_cell(o, now),
    ])
}

fn format_endpoints(subsets: &[Value]) -> String {
    if subsets.is_empty() {
        return "<none>".to_string();
    }
    const MAX: usize = 3;
    let mut list: Vec<String> = Vec::new();
    let mut more = false;
    let mut count = 0usize;
    for ss in subsets {
        let addresses = arr_at(ss, "/addresses");
        let ports = arr_at(ss, "/ports");
        if ports.is_empty() {
            // Headless services may have no ports.
            count += addresses.len();
            for a in addresses {
                if list.len() == MAX {
                    more = true;
                    break;
                }
                list.push(str_at(a, "/ip").to_string());
            }
            continue;
        }
        for p in ports {
            count += addresses.len();
            for a in addresses {
                if list.len() == MAX {
                    more = true;
                    break;
                }
                list.push(join_host_port(
                    str_at(a, "/ip"),
                    int_at(p, "/port").unwrap_or(0),
                ));
            }
        }
    }
    let ret = list.join(",");
    if more {
        format!("{ret} + {} more...", count.saturating_sub(MAX))
    } else {
        ret
    }
}

fn list_with_more(list: &[String], more: bool, count: usize, max: usize) -> String {
    let ret = list.join(",");
    if more {
        format!("{ret} + {} more...", count.saturating_sub(max))
    } else if ret.is_empty() {
        "<unset>".to_string()
    } else {
        ret
    }
}

fn endpoint_slice_row(o: &Value, now: Timestamp) -> Row {
    const MAX: usize = 3;
    let mut ports: Vec<String> = Vec::new();
    let mut ports_more = false;
    let mut ports_count = 0;
    for p in arr_at(o, "/ports") {
        if ports.len() < MAX {
            let s = match (int_at(p, "/port"), present(p, "/name")) {
                (Some(n), _) => n.to_string(),
                (None, Some(name)) => scalar_string(name),
                (None, None) => "*".to_string(),
            };
            ports.push(s);
        } else if ports.len() == MAX {
            ports_more = true;
        }
        ports_count += 1;
    }
    let mut addrs: Vec<String> = Vec::new();
    let mut addrs_more = false;
    let mut addrs_count = 0;
    for e in arr_at(o, "/endpoints") {
        for a in arr_at(e, "/addresses") {
            if addrs.len() < MAX {
                addrs.push(scalar_string(a));
            } else if addrs.len() == MAX {
                addrs_more = true;
            }
            addrs_count += 1;
        }
    }
    Row::new(vec![
        name_cell(o),
        Value::from(str_at(o, "/addressType")),
        Value::from(list_with_more(&ports, ports_more, ports_count, MAX)),
        Value::from(list_with_more(&addrs, addrs_more, addrs_count, MAX)),
        age_cell(o, now),
    ])
}

fn ingress_row(o: &Value, now: Timestamp) -> Row {
    let class = match present(o, "/spec/ingressClassName") {
        Some(v) => scalar_string(v),
        None => "<none>".to_string(),
    };
    // formatHosts
    const MAX: usize = 3;
    let rules = arr_at(o, "/spec/rules");
    let mut hosts: Vec<String> = Vec::new();
    let mut more = false;
    for rule in rules {
        if hosts.len() == MAX {
            more = true;
        }
        let host = str_at(rule, "/host");
        if !more && !host.is_empty() {
            hosts.push(host.to_string());
        }
    }
    let hosts = if hosts.is_empty() {
        "*".to_string()
    } else if more {
        format!(
            "{} + {} more...",
            hosts.join(","),
            rules.len().saturating_sub(MAX)
        )
    } else {
        hosts.join(",")
    };
    let ports = if arr_at(o, "/spec/tls").is_empty() {
        "80"
    } else {
        "80, 443"
    };
    Row::new(vec![
        name_cell(o),
        Value::from(class),
        Value::from(hosts),
        Value::from(load_balancer_ingress(o, "/status/loadBalancer/ingress")),
        Value::from(ports),
        age_cell(o, now),
    ])
}

fn ingress_class_row(o: &Value, now: Timestamp) -> Row {
    let parameters = match obj_at(o, "/spec/parameters") {
        None => "<none>".to_string(),
        Some(p) => {
            let mut s = str_at(p, "/kind").to_string();
            if let Some(g) = present(p, "/apiGroup") {
                s = format!("{s}.{}", scalar_string(g));
            }
            format!("{s}/{}", str_at(p, "/name"))
        }
    };
    Row::new(vec![
        name_cell(o),
        Value::from(str_at(o, "/spec/controller")),
        Value::from(parameters),
        age_cell(o, now),
    ])
}

fn ip_address_row(o: &Value, now: Timestamp) -> Row {
    let parent = match obj_at(o, "/spec/parentRef") {
        None => "<none>".to_string(),
        Some(p) => {
            let group = str_at(p, "/group");
            let resource = str_at(p, "/resource");
            let mut s = if group.is_empty() {
                resource.to_string()
            } else {
                format!("{resource}.{group}")
            }
            .to_lowercase();
            let ns = str_at(p, "/namespace");
            if !ns.is_empty() {
                s = format!("{s}/{ns}");
            }
            format!("{s}/{}", str_at(p, "/name"))
        }
    };
    Row::new(vec![name_cell(o), Value::from(parent), age_cell(o, now)])
}

// ---------------------------------------------------------------------------------------------
// Nodes, namespaces, events, config
// ---------------------------------------------------------------------------------------------

fn node_row(o: &Value, now: Timestamp) -> Row {
    // The last condition of type Ready wins (upstream builds a map by type).
    let ready = arr_at(o, "/status/conditions")
        .iter()
        .rev()
        .find(|c| str_at(c, "/type") == "Ready");
    let mut status = vec![match ready {
        None => "Unknown",
        Some(c) if str_at(c, "/status") == "True" => "Ready",
        Some(_) => "NotReady",
    }];
    if bool_at(o, "/spec/unschedulable") == Some(true) {
        status.push("SchedulingDisabled");
    }

    let mut roles: BTreeSet<String> = BTreeSet::new();
    if let Some(labels) = map_at(o, "/metadata/labels") {
        for (k, v) in labels {
            if let Some(role) = k.strip_prefix("node-role.kubernetes.io/") {
                if !role.is_empty() {
                    roles.insert(role.to_string());
                }
            } else if k == "kubernetes.io/role" {
                let v = scalar_string(v);
                if !v.is_empty() {
                    roles.insert(v);
                }
            }
        }
    }
    let roles = if roles.is_empty() {
        "<none>".to_string()
    } else {
        roles.into_iter().collect::<Vec<_>>().join(",")
    };

    let address = |ty: &str| -> String {
        arr_at(o, "/status/addresses")
            .iter()
            .find(|a| str_at(a, "/type") == ty)
            .map_or_else(
                || "<none>".to_string(),
                |a| str_at(a, "/address").to_string(),
            )
    };
    let unknown = |s: &str| -> String {
        if s.is_empty() {
            "<unknown>".to_string()
        } else {
            s.to_string()
        }
    };
    Row::new(vec![
        name_cell(o),
        Value::from(status.join(",")),
        Value::from(roles),
        age_cell(o, now),
        Value::from(str_at(o, "/status/nodeInfo/kubeletVersion")),
        Value::from(address("InternalIP")),
        Value::from(address("ExternalIP")),
        Value::from(unknown(str_at(o, "/status/nodeInfo/osImage"))),
        Value::from(unknown(str_at(o, "/status/nodeInfo/kernelVersion"))),
        Value::from(unknown(str_at(
            o,
            "/status/nodeInfo/containerRuntimeVersion",
        ))),
    ])
}

fn namespace_row(o: &Value, now: Timestamp) -> Row {
    // Defaulting sets an empty status.phase to Active.
    let phase = str_or(o, "/status/phase", "Active");
    Row::new(vec![name_cell(o), Value::from(phase), age_cell(o, now)])
}

fn secret_row(o: &Value, now: Timestamp) -> Row {
    // Defaulting sets an empty type to Opaque.
    let ty = str_or(o, "/type", "Opaque");
    Row::new(vec![
        name_cell(o),
        Value::from(ty),
        Value::from(map_len(o, "/data")),
        age_cell(o, now),
    ])
}

/// core/v1 and events.k8s.io/v1 Events print identically (both become the internal Event).
fn event_row(api_version: &str, o: &Value, now: Timestamp) -> Row {
    let events_api = api_version.starts_with("events.k8s.io/");
    let (involved, message, source, first, last, count, controller) = if events_api {
        (
            "/regarding",
            "/note",
            "/deprecatedSource",
            "/deprecatedFirstTimestamp",
            "/deprecatedLastTimestamp",
            "/deprecatedCount",
            "/reportingController",
        )
    } else {
        (
            "/involvedObject",
            "/message",
            "/source",
            "/firstTimestamp",
            "/lastTimestamp",
            "/count",
            "/reportingComponent",
        )
    };

    let first_seen = match time_at(o, first) {
        Some(t) => since(Some(t), now),
        None => since(time_at(o, "/eventTime"), now),
    };
    let mut last_seen = match time_at(o, last) {
        Some(t) => since(Some(t), now),
        None => first_seen.clone(),
    };
    let mut count = int_at(o, count).unwrap_or(0);
    if let Some(series) = obj_at(o, "/series") {
        last_seen = since(time_at(series, "/lastObservedTime"), now);
        count = int_at(series, "/count").unwrap_or(0);
    } else if count == 0 {
        // Singleton events don't have a count set in the new API.
        count = 1;
    }

    let kind = str_at(o, &format!("{involved}/kind")).to_lowercase();
    let involved_name = str_at(o, &format!("{involved}/name"));
    let target = if involved_name.is_empty() {
        kind
    } else {
        format!("{kind}/{involved_name}")
    };

    let component = first_non_empty(
        str_at(o, &format!("{source}/component")),
        str_at(o, controller),
    );
    let instance = first_non_empty(
        str_at(o, &format!("{source}/host")),
        str_at(o, "/reportingInstance"),
    );
    let source_str = if instance.is_empty() {
        component.to_string()
    } else {
        format!("{component}, {instance}")
    };

    Row::new(vec![
        Value::from(last_seen),
        Value::from(str_at(o, "/type")),
        Value::from(str_at(o, "/reason")),
        Value::from(target),
        Value::from(str_at(o, &format!("{involved}/fieldPath"))),
        Value::from(source_str),
        Value::from(str_at(o, message).trim()),
        Value::from(first_seen),
        Value::from(count),
        name_cell(o),
    ])
}

fn first_non_empty<'a>(a: &'a str, b: &'a str) -> &'a str {
    if a.is_empty() { b } else { a }
}

fn component_status_row(o: &Value) -> Row {
    let mut status = "Unknown";
    let mut message = "";
    let mut error = "";
    if let Some(c) = arr_at(o, "/conditions")
        .iter()
        .find(|c| str_at(c, "/type") == "Healthy")
    {
        status = if str_at(c, "/status") == "True" {
            "Healthy"
        } else {
            "Unhealthy"
        };
        message = str_at(c, "/message");
        error = str_at(c, "/error");
    }
    Row::new(vec![
        name_cell(o),
        Value::from(status),
        Value::from(message),
        Value::from(error),
    ])
}

fn resource_quota_row(o: &Value, now: Timestamp) -> Row {
    let mut requests: Vec<String> = Vec::new();
    let mut limits: Vec<String> = Vec::new();
    if let Some(hard) = map_at(o, "/status/hard") {
        let used = map_at(o, "/status/used");
        let mut resources: Vec<(&String, &Value)> = hard.iter().collect();
        resources.sort_by(|a, b| a.0.cmp(b.0));
        for (resource, hard_qty) in resources {
            let used_qty = quantity_string(used.and_then(|u| u.get(resource)));
            let entry = format!("{resource}: {used_qty}/{}", quantity_string(Some(hard_qty)));
            let pieces: Vec<&str> = resource.split('.').collect();
            if pieces.len() > 1 && pieces.first() == Some(&"limits") {
                limits.push(entry);
            } else {
                requests.push(entry);
            }
        }
    }
    Row::new(vec![
        name_cell(o),
        Value::from(requests.join(", ")),
        Value::from(limits.join(", ")),
        age_cell(o, now),
    ])
}

// ---------------------------------------------------------------------------------------------
// Storage
// ---------------------------------------------------------------------------------------------

/// `GetAccessModesAsString`.
fn access_modes(modes: &[Value]) -> String {
    let has = |m: &str| modes.iter().any(|v| v.as_str() == Some(m));
    let mut out: Vec<&str> = Vec::new();
    if has("ReadWriteOnce") {
        out.push("RWO");
    }
    if has("ReadOnlyMany") {
        out.push("ROX");
    }
    if has("ReadWriteMany") {
        out.push("RWX");
    }
    if has("ReadWriteOncePod") {
        out.push("RWOP");
    }
    out.join(",")
}

const BETA_STORAGE_CLASS_ANNOTATION: &str = "volume.beta.kubernetes.io/storage-class";

fn beta_storage_class(o: &Value) -> Option<String> {
    map_at(o, "/metadata/annotations")
        .and_then(|a| a.get(BETA_STORAGE_CLASS_ANNOTATION))
        .map(scalar_string)
}

fn volume_mode(o: &Value) -> String {
    // Defaulting sets spec.volumeMode to Filesystem.
    match present(o, "/spec/volumeMode") {
        None => "Filesystem".to_string(),
        Some(v) => scalar_string(v),
    }
}

fn volume_attributes_class_name(o: &Value) -> String {
    match present(o, "/spec/volumeAttributesClassName") {
        None => "<unset>".to_string(),
        Some(v) => scalar_string(v),
    }
}

fn pv_row(o: &Value, now: Timestamp) -> Row {
    let claim = match obj_at(o, "/spec/claimRef") {
        None => String::new(),
        Some(c) => format!("{}/{}", str_at(c, "/namespace"), str_at(c, "/name")),
    };
    // Defaulting: reclaim policy Retain, phase Pending.
    let reclaim = str_or(o, "/spec/persistentVolumeReclaimPolicy", "Retain");
    let phase = if deleting(o) {
        "Terminating".to_string()
    } else {
        str_or(o, "/status/phase", "Pending")
    };
    let class =
        beta_storage_class(o).unwrap_or_else(|| str_at(o, "/spec/storageClassName").to_string());
    Row::new(vec![
        name_cell(o),
        Value::from(quantity_string(o.pointer("/spec/capacity/storage"))),
        Value::from(access_modes(arr_at(o, "/spec/accessModes"))),
        Value::from(reclaim),
        Value::from(phase),
        Value::from(claim),
        Value::from(class),
        Value::from(volume_attributes_class_name(o)),
        Value::from(str_at(o, "/status/reason")),
        age_cell(o, now),
        Value::from(volume_mode(o)),
    ])
}

fn pvc_row(o: &Value, now: Timestamp) -> Row {
    let phase = if deleting(o) {
        "Terminating".to_string()
    } else {
        str_or(o, "/status/phase", "Pending")
    };
    let volume_name = str_at(o, "/spec/volumeName");
    let (capacity, modes) = if volume_name.is_empty() {
        (String::new(), String::new())
    } else {
        (
            quantity_string(o.pointer("/status/capacity/storage")),
            access_modes(arr_at(o, "/status/accessModes")),
        )
    };
    let class = beta_storage_class(o).unwrap_or_else(|| {
        present(o, "/spec/storageClassName")
            .map(scalar_string)
            .unwrap_or_default()
    });
    Row::new(vec![
        name_cell(o),
        Value::from(phase),
        Value::from(volume_name),
        Value::from(capacity),
        Value::from(modes),
        Value::from(class),
        Value::from(volume_attributes_class_name(o)),
        age_cell(o, now),
        Value::from(volume_mode(o)),
    ])
}

fn is_default_class(o: &Value, annotations: &[&str]) -> bool {
    map_at(o, "/metadata/annotations").is_some_and(|a| {
        annotations
            .iter()
            .any(|k| a.get(*k).and_then(Value::as_str) == Some("true"))
    })
}

fn storage_class_row(o: &Value, now: Timestamp) -> Row {
    let mut name = name_of(o).to_string();
    if is_default_class(
        o,
        &[
            "storageclass.kubernetes.io/is-default-class",
            "storageclass.beta.kubernetes.io/is-default-class",
        ],
    ) {
        name.push_str(" (default)");
    }
    let reclaim = match present(o, "/reclaimPolicy") {
        None => "Delete".to_string(),
        Some(v) => scalar_string(v),
    };
    let binding = match present(o, "/volumeBindingMode") {
        None => "Immediate".to_string(),
        Some(v) => scalar_string(v),
    };
    Row::new(vec![
        Value::from(name),
        Value::from(str_at(o, "/provisioner")),
        Value::from(reclaim),
        Value::from(binding),
        Value::from(bool_at(o, "/allowVolumeExpansion").unwrap_or(false)),
        age_cell(o, now),
    ])
}

fn volume_attributes_class_row(o: &Value, now: Timestamp) -> Row {
    let mut name = name_of(o).to_string();
    if is_default_class(o, &["volumeattributesclass.kubernetes.io/is-default-class"]) {
        name.push_str(" (default)");
    }
    Row::new(vec![
        Value::from(name),
        Value::from(str_at(o, "/driverName")),
        age_cell(o, now),
    ])
}

fn volume_attachment_row(o: &Value, now: Timestamp) -> Row {
    Row::new(vec![
        name_cell(o),
        Value::from(str_at(o, "/spec/attacher")),
        Value::from(str_at(o, "/spec/source/persistentVolumeName")),
        Value::from(str_at(o, "/spec/nodeName")),
        Value::from(bool_at(o, "/status/attached").unwrap_or(false)),
        age_cell(o, now),
    ])
}

fn csi_driver_row(o: &Value, now: Timestamp) -> Row {
    let token_requests = match o.pointer("/spec/tokenRequests") {
        Some(Value::Array(items)) => items
            .iter()
            .map(|t| str_at(t, "/audience").to_string())
            .collect::<Vec<_>>()
            .join(","),
        _ => "<unset>".to_string(),
    };
    let modes = arr_at(o, "/spec/volumeLifecycleModes");
    // Defaulting sets volumeLifecycleModes to [Persistent].
    let modes = if modes.is_empty() {
        "Persistent".to_string()
    } else {
        join_strs(modes, ",")
    };
    Row::new(vec![
        name_cell(o),
        Value::from(bool_at(o, "/spec/attachRequired").unwrap_or(true)),
        Value::from(bool_at(o, "/spec/podInfoOnMount").unwrap_or(false)),
        Value::from(bool_at(o, "/spec/storageCapacity").unwrap_or(false)),
        Value::from(token_requests),
        Value::from(bool_at(o, "/spec/requiresRepublish").unwrap_or(false)),
        Value::from(modes),
        age_cell(o, now),
    ])
}

// ---------------------------------------------------------------------------------------------
// Autoscaling, RBAC, certificates, scheduling, admission, flow control, aggregation
// ---------------------------------------------------------------------------------------------

fn hpa_row(api_version: &str, o: &Value, now: Timestamp) -> Row {
    let target_ref = format!(
        "{}/{}",
        str_at(o, "/spec/scaleTargetRef/kind"),
        str_at(o, "/spec/scaleTargetRef/name")
    );
    let metrics = if api_version == "autoscaling/v1" {
        // autoscaling/v1 carries a single CPU utilization target (default 80%).
        let target = int_at(o, "/spec/targetCPUUtilizationPercentage").unwrap_or(80);
        let current = match int_at(o, "/status/currentCPUUtilizationPercentage") {
            Some(c) => format!("{c}%"),
            None => "<unknown>".to_string(),
        };
        format!("cpu: {current}/{target}%")
    } else {
        format_hpa_metrics(
            arr_at(o, "/spec/metrics"),
            arr_at(o, "/status/currentMetrics"),
        )
    };
    // Defaulting sets minReplicas to 1.
    let min_pods = int_at(o, "/spec/minReplicas").unwrap_or(1);
    Row::new(vec![
        name_cell(o),
        Value::from(target_ref),
        Value::from(metrics),
        Value::from(min_pods.to_string()),
        Value::from(int_at(o, "/spec/maxReplicas").unwrap_or(0)),
        Value::from(int_at(o, "/status/currentReplicas").unwrap_or(0)),
        age_cell(o, now),
    ])
}

fn format_hpa_metrics(specs: &[Value], statuses: &[Value]) -> String {
    // Defaulting (autoscaling/v2): no metrics means 80% average CPU utilization.
    let default_spec = [json!({
        "type": "Resource",
        "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 80}},
    })];
    let specs = if specs.is_empty() {
        &default_spec[..]
    } else {
        specs
    };
    const MAX: usize = 2;
    let mut list: Vec<String> = Vec::new();
    for (i, spec) in specs.iter().enumerate() {
        let status = statuses.get(i);
        // The status entry's member for this source, when present (a non-nil pointer).
        let status_of = |member: &str| status.and_then(|s| obj_at(s, &format!("/{member}")));
        let entry = match str_at(spec, "/type") {
            t @ ("External" | "Object") => {
                let member = if t == "External" {
                    "external"
                } else {
                    "object"
                };
                let target = spec.pointer(&format!("/{member}/target"));
                let target_avg = target.and_then(|t| present(t, "/averageValue"));
                if let Some(avg) = target_avg {
                    let current = status_of(member)
                        .and_then(|s| present(s, "/current/averageValue"))
                        .map_or_else(|| "<unknown>".to_string(), scalar_string);
                    format!("{current}/{} (avg)", scalar_string(avg))
                } else {
                    let current = status_of(member).map_or_else(
                        || "<unknown>".to_string(),
                        |s| quantity_ptr_string(s.pointer("/current/value")),
                    );
                    format!(
                        "{current}/{}",
                        quantity_ptr_string(target.and_then(|t| t.get("value")))
                    )
                }
            }
            "Pods" => {
                let current = status_of("pods").map_or_else(
                    || "<unknown>".to_string(),
                    |s| quantity_ptr_string(s.pointer("/current/averageValue")),
                );
                format!(
                    "{current}/{}",
                    quantity_ptr_string(spec.pointer("/pods/target/averageValue"))
                )
            }
            t @ ("Resource" | "ContainerResource") => {
                let member = if t == "Resource" {
                    "resource"
                } else {
                    "containerResource"
                };
                let name = str_at(spec, &format!("/{member}/name"));
                let target = spec.pointer(&format!("/{member}/target"));
                if let Some(avg) = target.and_then(|t| present(t, "/averageValue")) {
                    let current = status_of(member).map_or_else(
                        || "<unknown>".to_string(),
                        |s| quantity_ptr_string(s.pointer("/current/averageValue")),
                    );
                    format!("{name}: {current}/{}", scalar_string(avg))
                } else {
                    let current = status_of(member)
                        .and_then(|s| int_at(s, "/current/averageUtilization"))
                        .map_or_else(|| "<unknown>".to_string(), |u| format!("{u}%"));
                    let target = target
                        .and_then(|t| int_at(t, "/averageUtilization"))
                        .map_or_else(|| "<auto>".to_string(), |u| format!("{u}%"));
                    format!("{name}: {current}/{target}")
                }
            }
            _ => "<unknown type>".to_string(),
        };
        list.push(entry);
    }
    let count = list.len();
    if count > MAX {
        list.truncate(MAX);
        format!("{} + {} more...", list.join(", "), count - MAX)
    } else {
        list.join(", ")
    }
}

fn role_binding_row(o: &Value, now: Timestamp) -> Row {
    let role_ref = format!(
        "{}/{}",
        str_at(o, "/roleRef/kind"),
        str_at(o, "/roleRef/name")
    );
    let mut users: Vec<String> = Vec::new();
    let mut groups: Vec<String> = Vec::new();
    let mut sas: Vec<String> = Vec::new();
    for s in arr_at(o, "/subjects") {
        let name = str_at(s, "/name").to_string();
        match str_at(s, "/kind") {
            "ServiceAccount" => sas.push(format!("{}/{name}", str_at(s, "/namespace"))),
            "User" => users.push(name),
            "Group" => groups.push(name),
            _ => {}
        }
    }
    Row::new(vec![
        name_cell(o),
        Value::from(role_ref),
        age_cell(o, now),
        Value::from(users.join(", ")),
        Value::from(groups.join(", ")),
        Value::from(sas.join(", ")),
    ])
}

fn csr_row(o: &Value, now: Timestamp) -> Row {
    let (mut approved, mut denied, mut failed) = (false, false, false);
    for c in arr_at(o, "/status/conditions") {
        match str_at(c, "/type") {
            "Approved" => approved = true,
            "Denied" => denied = true,
            "Failed" => failed = true,
            _ => {}
        }
    }
    let mut status = if denied {
        "Denied"
    } else if approved {
        "Approved"
    } else {
        "Pending"
    }
    .to_string();
    if failed {
        status.push_str(",Failed");
    }
    if !str_at(o, "/status/certificate").is_empty() {
        status.push_str(",Issued");
    }
    let signer = or_none(str_at(o, "/spec/signerName"));
    let requested = match int_at(o, "/spec/expirationSeconds") {
        Some(s) => human_duration_nanos(i128::from(s) * 1_000_000_000),
        None => "<none>".to_string(),
    };
    Row::new(vec![
        name_cell(o),
        age_cell(o, now),
        Value::from(signer),
        Value::from(str_at(o, "/spec/username")),
        Value::from(requested),
        Value::from(status),
    ])
}

fn priority_class_row(o: &Value, now: Timestamp) -> Row {
    // Defaulting sets preemptionPolicy to PreemptLowerPriority.
    let preemption = match present(o, "/preemptionPolicy") {
        None => "PreemptLowerPriority".to_string(),
        Some(v) => scalar_string(v),
    };
    Row::new(vec![
        name_cell(o),
        Value::from(int_at(o, "/value").unwrap_or(0)),
        Value::from(bool_at(o, "/globalDefault").unwrap_or(false)),
        age_cell(o, now),
        Value::from(preemption),
    ])
}

fn vap_row(o: &Value, now: Timestamp) -> Row {
    let param_kind = match obj_at(o, "/spec/paramKind") {
        None => "<unset>".to_string(),
        Some(p) => format!("{}/{}", str_at(p, "/apiVersion"), str_at(p, "/kind")),
    };
    Row::new(vec![
        name_cell(o),
        Value::from(arr_at(o, "/spec/validations").len()),
        Value::from(param_kind),
        age_cell(o, now),
    ])
}

fn vap_binding_row(o: &Value, now: Timestamp) -> Row {
    let param = match obj_at(o, "/spec/paramRef") {
        None => "<unset>".to_string(),
        Some(p) => {
            let name = str_at(p, "/name");
            let ns = str_at(p, "/namespace");
            if !name.is_empty() {
                if ns.is_empty() {
                    format!("*/{name}")
                } else {
                    format!("{ns}/{name}")
                }
            } else if let Some(sel) = obj_at(p, "/selector") {
                go_label_selector_struct_string(sel)
            } else {
                "<unset>".to_string()
            }
        }
    };
    Row::new(vec![
        name_cell(o),
        Value::from(str_at(o, "/spec/policyName")),
        Value::from(param),
        age_cell(o, now),
    ])
}

/// The generated `(*metav1.LabelSelector).String()` (Go struct notation).
fn go_label_selector_struct_string(sel: &Value) -> String {
    let mut pairs: Vec<(&String, &Value)> = map_at(sel, "/matchLabels")
        .map(|m| m.iter().collect())
        .unwrap_or_default();
    pairs.sort_by(|a, b| a.0.cmp(b.0));
    let labels: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("{k}: {},", scalar_string(v)))
        .collect();
    let exprs: Vec<String> = arr_at(sel, "/matchExpressions")
        .iter()
        .map(|e| {
            let values: Vec<String> = arr_at(e, "/values").iter().map(scalar_string).collect();
            format!(
                "LabelSelectorRequirement{{Key:{},Operator:{},Values:[{}],}},",
                str_at(e, "/key"),
                str_at(e, "/operator"),
                values.join(" ")
            )
        })
        .collect();
    format!(
        "&LabelSelector{{MatchLabels:map[string]string{{{}}},MatchExpressions:[]LabelSelectorRequirement{{{}}},}}",
        labels.concat(),
        exprs.concat()
    )
}

fn flow_schema_row(o: &Value, now: Timestamp) -> Row {
    let distinguisher = match obj_at(o, "/spec/distinguisherMethod") {
        None => "<none>".to_string(),
        Some(d) => str_at(d, "/type").to_string(),
    };
    let missing_pl = arr_at(o, "/status/conditions")
        .iter()
        .find(|c| str_at(c, "/type") == "Dangling")
        .map_or_else(|| "?".to_string(), |c| str_at(c, "/status").to_string());
    Row::new(vec![
        name_cell(o),
        Value::from(str_at(o, "/spec/priorityLevelConfiguration/name")),
        Value::from(int_at(o, "/spec/matchingPrecedence").unwrap_or(0)),
        Value::from(distinguisher),
        age_cell(o, now),
        Value::from(missing_pl),
    ])
}

fn priority_level_row(o: &Value, now: Timestamp) -> Row {
    let none = || Value::from("<none>");
    let (mut ncs, mut queues, mut hand, mut qll) = (none(), none(), none(), none());
    if let Some(limited) = obj_at(o, "/spec/limited") {
        // flowcontrol/v1 defaults: 30 shares; queuing 64 queues, hand size 8, limit 50.
        ncs = Value::from(int_at(limited, "/nominalConcurrencyShares").unwrap_or(30));
        if let Some(q) = obj_at(limited, "/limitResponse/queuing") {
            queues = Value::from(int_at(q, "/queues").unwrap_or(64));
            hand = Value::from(int_at(q, "/handSize").unwrap_or(8));
            qll = Value::from(int_at(q, "/queueLengthLimit").unwrap_or(50));
        }
    }
    Row::new(vec![
        name_cell(o),
        Value::from(str_at(o, "/spec/type")),
        ncs,
        queues,
        hand,
        qll,
        age_cell(o, now),
    ])
}

fn api_service_row(o: &Value, now: Timestamp) -> Row {
    let service = match obj_at(o, "/spec/service") {
        None => "Local".to_string(),
        Some(s) => format!("{}/{}", str_at(s, "/namespace"), str_at(s, "/name")),
    };
    let status = match arr_at(o, "/status/conditions")
        .iter()
        .find(|c| str_at(c, "/type") == "Available")
    {
        None => "Unknown".to_string(),
        Some(c) => {
            let s = str_at(c, "/status");
            let r = str_at(c, "/reason");
            if s == "True" || r.is_empty() {
                s.to_string()
            } else {
                format!("{s} ({r})")
            }
        }
    };
    Row::new(vec![
        name_cell(o),
        Value::from(service),
        Value::from(status),
        age_cell(o, now),
    ])
}

// ---------------------------------------------------------------------------------------------
// Label selectors (`metav1.LabelSelectorAsSelector(...).String()`)
// ---------------------------------------------------------------------------------------------

/// `metav1.FormatLabelSelector`: "<error>" for invalid selectors, "<none>" for empty ones.
fn format_label_selector(sel: Option<&Value>) -> String {
    match label_selector_string(sel) {
        Err(()) => "<error>".to_string(),
        Ok(s) if s.is_empty() => "<none>".to_string(),
        Ok(s) => s,
    }
}

/// The selector's string form; "" for a nil (nothing) or empty (everything) selector.
fn label_selector_string(sel: Option<&Value>) -> Result<String, ()> {
    let sel = match sel {
        None | Some(Value::Null) => return Ok(String::new()),
        Some(s) => s,
    };
    let match_labels = map_at(sel, "/matchLabels");
    let expressions = arr_at(sel, "/matchExpressions");
    if match_labels.map_or(0, Map::len) + expressions.len() == 0 {
        return Ok(String::new());
    }
    // (key, rendered requirement)
    let mut reqs: Vec<(String, String)> = Vec::new();
    if let Some(m) = match_labels {
        for (k, v) in m {
            let v = scalar_string(v);
            if !is_qualified_name(k) || !is_label_value(&v) {
                return Err(());
            }
            reqs.push((k.clone(), format!("{k}={v}")));
        }
    }
    for e in expressions {
        let key = str_at(e, "/key");
        let mut values: Vec<String> = arr_at(e, "/values").iter().map(scalar_string).collect();
        if !is_qualified_name(key) || !values.iter().all(|v| is_label_value(v)) {
            return Err(());
        }
        let rendered = match str_at(e, "/operator") {
            op @ ("In" | "NotIn") => {
                if values.is_empty() {
                    return Err(());
                }
                values.sort();
                let word = if op == "In" { "in" } else { "notin" };
                format!("{key} {word} ({})", values.join(","))
            }
            "Exists" if values.is_empty() => key.to_string(),
            "DoesNotExist" if values.is_empty() => format!("!{key}"),
            _ => return Err(()),
        };
        reqs.push((key.to_string(), rendered));
    }
    reqs.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(reqs
        .into_iter()
        .map(|(_, r)| r)
        .collect::<Vec<_>>()
        .join(","))
}

/// `([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]`, at most 63 characters (empty allowed).
fn is_label_value(v: &str) -> bool {
    v.is_empty() || (v.len() <= 63 && is_qualified_name_part(v))
}

fn is_qualified_name_part(s: &str) -> bool {
    let bytes = s.as_bytes();
    match (bytes.first(), bytes.last()) {
        (Some(f), Some(l)) => {
            f.is_ascii_alphanumeric()
                && l.is_ascii_alphanumeric()
                && bytes
                    .iter()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        }
        _ => false,
    }
}

/// `validation.IsQualifiedName`: an optional DNS-1123 subdomain prefix and a name.
fn is_qualified_name(key: &str) -> bool {
    let parts: Vec<&str> = key.split('/').collect();
    let name = match parts.as_slice() {
        [name] => *name,
        [prefix, name] => {
            if !is_dns1123_subdomain(prefix) {
                return false;
            }
            *name
        }
        _ => return false,
    };
    !name.is_empty() && name.len() <= 63 && is_qualified_name_part(name)
}

fn is_dns1123_subdomain(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 253
        && s.split('.').all(|label| {
            let b = label.as_bytes();
            match (b.first(), b.last()) {
                (Some(f), Some(l)) => {
                    (f.is_ascii_lowercase() || f.is_ascii_digit())
                        && (l.is_ascii_lowercase() || l.is_ascii_digit())
                        && b.iter()
                            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
                }
                _ => false,
            }
        })
}

// ---------------------------------------------------------------------------------------------
// Durations (`k8s.io/apimachinery/pkg/util/duration.HumanDuration`)
// ---------------------------------------------------------------------------------------------

/// `HumanDuration` of a signed duration in nanoseconds (clamped to Go's int64 range).
fn human_duration_nanos(d: i128) -> String {
    let d = d.clamp(i128::from(i64::MIN), i128::from(i64::MAX));
    const SECOND: i128 = 1_000_000_000;
    const MINUTE: i128 = 60 * SECOND;
    const HOUR: i128 = 60 * MINUTE;
    // Allow deviation no more than 2 seconds (excluded) to tolerate clock skew.
    let seconds = d / SECOND; // truncates toward zero, like int(d.Seconds())
    if seconds < -1 {
        return "<invalid>".to_string();
    } else if seconds < 0 {
        return "0s".to_string();
    } else if seconds < 60 * 2 {
        return format!("{seconds}s");
    }
    let minutes = d / MINUTE;
    if minutes < 10 {
        let s = (d / SECOND) % 60;
        if s == 0 {
            return format!("{minutes}m");
        }
        return format!("{minutes}m{s}s");
    } else if minutes < 60 * 3 {
        return format!("{minutes}m");
    }
    let hours = d / HOUR;
    if hours < 8 {
        let m = (d / MINUTE) % 60;
        if m == 0 {
            return format!("{hours}h");
        }
        return format!("{hours}h{m}m");
    } else if hours < 48 {
        return format!("{hours}h");
    } else if hours < 24 * 8 {
        let h = hours % 24;
        if h == 0 {
            return format!("{}d", hours / 24);
        }
        return format!("{}d{h}h", hours / 24);
    } else if hours < 24 * 365 * 2 {
        return format!("{}d", hours / 24);
    } else if hours < 24 * 365 * 8 {
        let dy = (hours / 24) % 365;
        if dy == 0 {
            return format!("{}y", hours / 24 / 365);
        }
        return format!("{}y{dy}d", hours / 24 / 365);
    }
    format!("{}y", hours / 24 / 365)
}

// ---------------------------------------------------------------------------------------------
// Custom resources (apiextensions-apiserver `tableconvertor`)
// ---------------------------------------------------------------------------------------------

struct CrdColumn {
    name: String,
    ty: String,
    format: String,
    description: String,
    priority: i64,
    path: Option<Vec<PathStep>>,
}

fn crd_columns(printer_columns: &[Value]) -> Vec<CrdColumn> {
    if printer_columns.is_empty() {
        return vec![CrdColumn {
            name: "Age".to_string(),
            ty: "date".to_string(),
            format: String::new(),
            description: D_META_CREATION.to_string(),
            priority: 0,
            path: parse_json_path(".metadata.creationTimestamp"),
        }];
    }
    printer_columns
        .iter()
        .map(|c| {
            let json_path = str_at(c, "/jsonPath");
            let description = match str_at(c, "/description") {
                "" => {
                    format!("Custom resource definition column (in JSONPath format): {json_path}")
                }
                d => d.to_string(),
            };
            CrdColumn {
                name: str_of(c, "name"),
                ty: str_of(c, "type"),
                format: str_of(c, "format"),
                description,
                priority: int_at(c, "/priority").unwrap_or(0),
                path: parse_json_path(json_path),
            }
        })
        .collect()
}

fn crd_columns_json(columns: &[CrdColumn]) -> Value {
    let mut out = vec![json!({
        "name": NAME.name,
        "type": NAME.ty,
        "format": NAME.format,
        "description": NAME.desc,
        "priority": 0,
    })];
    out.extend(columns.iter().map(|c| {
        json!({
            "name": c.name,
            "type": c.ty,
            "format": c.format,
            "description": c.description,
            "priority": c.priority,
        })
    }));
    Value::Array(out)
}

fn crd_cell(column: &CrdColumn, obj: &Value, now: Timestamp) -> Value {
    let Some(path) = &column.path else {
        return Value::Null;
    };
    let Some(value) = eval_json_path(path, obj).into_iter().next() else {
        return Value::Null;
    };
    match column.ty.as_str() {
        "string" => {
            if value.is_null() {
                Value::Null
            } else {
                Value::from(go_print(value))
            }
        }
        "integer" => match value {
            Value::Number(_) => as_int(value).map_or(Value::Null, Value::from),
            _ => Value::Null,
        },
        "number" => value.as_f64().map_or(Value::Null, Value::from),
        "boolean" => value.as_bool().map_or(Value::Null, Value::from),
        "date" => match value {
            Value::String(s) if s.is_empty() => Value::from("<unknown>"),
            Value::String(s) => match s.parse::<Timestamp>() {
                Ok(t) => {
                    let t = if t.as_second() == ZERO_TIME_SECONDS && t.subsec_nanosecond() == 0 {
                        None
                    } else {
                        Some(t)
                    };
                    Value::from(since(t, now))
                }
                Err(_) => Value::from("<invalid>"),
            },
            _ => Value::Null,
        },
        _ => Value::Null,
    }
}

/// How `fmt.Fprint` prints a value decoded into `interface{}` (what kubectl's JSONPath
/// printer does for "string" columns).
fn go_print(v: &Value) -> String {
    match v {
        Value::Null => "<nil>".to_string(),
        Value::Bool(b) => b.to_string(),
        Value::String(s) => s.clone(),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                i.to_string()
            } else if let Some(u) = n.as_u64() {
                u.to_string()
            } else {
                go_float(n.as_f64().unwrap_or(0.0))
            }
        }
        Value::Array(items) => format!(
            "[{}]",
            items.iter().map(go_print).collect::<Vec<_>>().join(" ")
        ),
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            let parts: Vec<String> = keys
                .into_iter()
                .map(|k| format!("{k}:{}", m.get(k).map_or_else(String::new, go_print)))
                .collect();
            format!("map[{}]", parts.join(" "))
        }
    }
}

/// Go's `%v` for float64: shortest representation, exponent form outside [1e-4, 1e21).
fn go_float(f: f64) -> String {
    if f.is_nan() {
        return "NaN".to_string();
    }
    if f.is_infinite() {
        return if f > 0.0 { "+Inf" } else { "-Inf" }.to_string();
    }
    let abs = f.abs();
    if abs != 0.0 && !(1e-4..1e21).contains(&abs) {
        // Rust: "1e21" / "1.5e-5"; Go: "1e+21" / "1.5e-05".
        let s = format!("{f:e}");
        if let Some((mantissa, exp)) = s.split_once('e') {
            let (sign, digits) = match exp.strip_prefix('-') {
                Some(d) => ('-', d),
                None => ('+', exp),
            };
            return format!("{mantissa}e{sign}{digits:0>2}");
        }
        s
    } else {
        format!("{f}")
    }
}

#[derive(Debug, Clone, PartialEq)]
enum PathStep {
    Field(String),
    Wildcard,
    Index(i64),
    Filter {
        path: Vec<String>,
        op: FilterOp,
        literal: Option<Value>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum FilterOp {
    Exists,
    Eq,
    Ne,
}

/// Parses the JSONPath subset CRD printer columns use. `None` if unsupported or invalid
/// (upstream then falls back to the default table; here the column's cells are null).
fn parse_json_path(path: &str) -> Option<Vec<PathStep>> {
    let p = path.trim();
    let p = p
        .strip_prefix('{')
        .and_then(|s| s.strip_suffix('}'))
        .unwrap_or(p);
    let p = p.strip_prefix('$').unwrap_or(p);
    let chars: Vec<char> = p.chars().collect();
    let mut steps = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        match chars.get(i) {
            Some('.') => {
                i += 1;
                let start = i;
                while let Some(c) = chars.get(i) {
                    if *c == '.' || *c == '[' {
                        break;
                    }
                    i += 1;
                }
                let name: String = chars.get(start..i)?.iter().collect();
                if name == "*" {
                    steps.push(PathStep::Wildcard);
                } else if !name.is_empty() {
                    steps.push(PathStep::Field(name));
                }
            }
            Some('[') => {
                let close = find_bracket_end(&chars, i)?;
                let inner: String = chars.get(i + 1..close)?.iter().collect();
                steps.push(parse_bracket(inner.trim())?);
                i = close + 1;
            }
            _ => {
                // A leading bare name ("metadata.name") is allowed.
                let start = i;
                while let Some(c) = chars.get(i) {
                    if *c == '.' || *c == '[' {
                        break;
                    }
                    i += 1;
                }
                let name: String = chars.get(start..i)?.iter().collect();
                steps.push(PathStep::Field(name));
            }
        }
    }
    Some(steps)
}

fn find_bracket_end(chars: &[char], open: usize) -> Option<usize> {
    let mut quote: Option<char> = None;
    let mut depth = 0i32;
    for (j, c) in chars.iter().enumerate().skip(open) {
        match (quote, *c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(*c),
            (None, '[' | '(') => depth += 1,
            (None, ')') => depth -= 1,
            (None, ']') => {
                depth -= 1;
                if depth == 0 {
                    return Some(j);
                }
            }
            _ => {}
        }
    }
    None
}

fn unquote(s: &str) -> Option<String> {
    let s = s.trim();
    for q in ['\'', '"'] {
        if let Some(inner) = s.strip_prefix(q).and_then(|r| r.strip_suffix(q)) {
            return Some(inner.to_string());
        }
    }
    None
}

fn parse_bracket(inner: &str) -> Option<PathStep> {
    if inner == "*" {
        return Some(PathStep::Wildcard);
    }
    if let Some(name) = unquote(inner) {
        return Some(PathStep::Field(name));
    }
    if let Ok(n) = inner.parse::<i64>() {
        return Some(PathStep::Index(n));
    }
    let expr = inner.strip_prefix("?(")?.strip_suffix(')')?.trim();
    let (lhs, op, rhs) = if let Some((l, r)) = expr.split_once("==") {
        (l.trim(), FilterOp::Eq, Some(r.trim()))
    } else if let Some((l, r)) = expr.split_once("!=") {
        (l.trim(), FilterOp::Ne, Some(r.trim()))
    } else {
        (expr, FilterOp::Exists, None)
    };
    let lhs = lhs.strip_prefix('@')?;
    let path: Vec<String> = lhs
        .split('.')
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    let literal = match rhs {
        None => None,
        Some(r) => Some(match unquote(r) {
            Some(s) => Value::String(s),
            None => serde_json::from_str::<Value>(r).ok()?,
        }),
    };
    Some(PathStep::Filter { path, op, literal })
}

fn eval_json_path<'a>(steps: &[PathStep], root: &'a Value) -> Vec<&'a Value> {
    let mut current: Vec<&'a Value> = vec![root];
    for step in steps {
        let mut next: Vec<&'a Value> = Vec::new();
        for v in current {
            match step {
                PathStep::Field(name) => {
                    if let Some(x) = v.get(name.as_str()) {
                        next.push(x);
                    }
                }
                PathStep::Wildcard => match v {
                    Value::Array(items) => next.extend(items.iter()),
                    Value::Object(m) => next.extend(m.values()),
                    _ => {}
                },
                PathStep::Index(n) => {
                    if let Value::Array(items) = v {
                        let len = i64::try_from(items.len()).unwrap_or(i64::MAX);
                        let idx = if *n < 0 { len + n } else { *n };
                        if let Some(x) = usize::try_from(idx).ok().and_then(|i| items.get(i)) {
                            next.push(x);
                        }
                    }
                }
                PathStep::Filter { path, op, literal } => {
                    let candidates: Vec<&Value> = match v {
                        Value::Array(items) => items.iter().collect(),
                        Value::Object(m) => m.values().collect(),
                        _ => Vec::new(),
                    };
                    for item in candidates {
                        let mut field = Some(item);
                        for p in path {
                            field = field.and_then(|f| f.get(p.as_str()));
                        }
                        let keep = match (op, field, literal) {
                            (FilterOp::Exists, f, _) => f.is_some(),
                            (FilterOp::Eq, Some(f), Some(l)) => json_eq(f, l),
                            (FilterOp::Ne, Some(f), Some(l)) => !json_eq(f, l),
                            _ => false,
                        };
                        if keep {
                            next.push(item);
                        }
                    }
                }
            }
        }
        current = next;
    }
    current
}

fn json_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> Timestamp {
        "2024-05-01T12:00:00Z".parse().unwrap()
    }

    /// RFC 3339 timestamp `secs` seconds before `now()`.
    fn ago(secs: i64) -> String {
        (now() - jiff::SignedDuration::from_secs(secs)).to_string()
    }

    fn rows(api_version: &str, kind: &str, objects: &[Value]) -> Vec<Vec<Value>> {
        let t = to_table(api_version, kind, objects, "None", now());
        t["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["cells"].as_array().unwrap().clone())
            .collect()
    }

    fn one(api_version: &str, kind: &str, object: Value) -> Vec<Value> {
        rows(api_version, kind, &[object]).remove(0)
    }

    fn column_names(api_version: &str, kind: &str) -> Vec<String> {
        column_definitions(api_version, kind)
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap().to_string())
            .collect()
    }

    fn secs(n: u64) -> Duration {
        Duration::from_secs(n)
    }

    // ---- durations ----------------------------------------------------------------------

    #[test]
    fn human_duration_boundaries() {
        let cases: &[(u64, &str)] = &[
            (0, "0s"),
            (5, "5s"),
            (59, "59s"),
            (60, "60s"),
            (119, "119s"),
            (120, "2m"),
            (121, "2m1s"),
            (182, "3m2s"),
            (599, "9m59s"),
            (600, "10m"),
            (3 * 3600 - 60, "179m"),
            (3 * 3600, "3h"),
            (2 * 3600 + 5 * 60 + 30, "125m"),
            (3 * 3600 + 5 * 60, "3h5m"),
            (8 * 3600 - 60, "7h59m"),
            (8 * 3600, "8h"),
            (47 * 3600, "47h"),
            (2 * 86400, "2d"),
            (3 * 86400 + 4 * 3600, "3d4h"),
            (8 * 86400 - 1, "7d23h"),
            (8 * 86400, "8d"),
            (400 * 86400, "400d"),
            (729 * 86400, "729d"),
            (730 * 86400, "2y"),
            (740 * 86400, "2y10d"),
            (8 * 365 * 86400, "8y"),
            (20 * 365 * 86400 + 86400 * 100, "20y"),
        ];
        for (s, want) in cases {
            assert_eq!(human_duration(secs(*s)), *want, "{s}s");
        }
        // Sub-second precision is truncated.
        assert_eq!(human_duration(Duration::from_millis(119_999)), "119s");
    }

    #[test]
    fn human_duration_negative_skew() {
        assert_eq!(human_duration_nanos(-1_500_000_000), "0s");
        assert_eq!(human_duration_nanos(-999_999_999), "0s");
        assert_eq!(human_duration_nanos(-2_000_000_000), "<invalid>");
        // An object created slightly "in the future" (clock skew).
        let pod = json!({"metadata": {"name": "p", "creationTimestamp": ago(-1)}});
        assert_eq!(one("v1", "Pod", pod)[4], "0s");
        let pod = json!({"metadata": {"name": "p", "creationTimestamp": ago(-30)}});
        assert_eq!(one("v1", "Pod", pod)[4], "<invalid>");
    }

    // ---- table shape ----------------------------------------------------------------------

    #[test]
    fn pod_columns_match_upstream() {
        let cols = column_definitions("v1", "Pod");
        let cols = cols.as_array().unwrap();
        let names: Vec<&str> = cols.iter().map(|c| c["name"].as_str().unwrap()).collect();
        assert_eq!(
            names,
            [
                "Name",
                "Ready",
                "Status",
                "Restarts",
                "Age",
                "IP",
                "Node",
                "Nominated Node",
                "Readiness Gates"
            ]
        );
        let priorities: Vec<i64> = cols
            .iter()
            .map(|c| c["priority"].as_i64().unwrap())
            .collect();
        assert_eq!(priorities, [0, 0, 0, 0, 0, 1, 1, 1, 1]);
        assert_eq!(cols[0]["format"], "name");
        assert_eq!(cols[0]["type"], "string");
        assert!(
            cols[0]["description"]
                .as_str()
                .unwrap()
                .starts_with("Name must be unique within a namespace.")
        );
        assert_eq!(cols[1]["format"], "");
        assert_eq!(cols[3]["type"], "string");
        assert!(
            cols[4]["description"]
                .as_str()
                .unwrap()
                .starts_with("CreationTimestamp is a timestamp")
        );
        for c in cols {
            let keys: BTreeSet<&str> = c.as_object().unwrap().keys().map(String::as_str).collect();
            assert_eq!(
                keys,
                BTreeSet::from(["name", "type", "format", "description", "priority"])
            );
        }
    }

    #[test]
    fn table_envelope_and_include_object() {
        let pod = json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "p", "namespace": "ns", "uid": "u1", "creationTimestamp": ago(10)},
            "spec": {"containers": [{"name": "c", "image": "i"}]},
        });
        let t = to_table("v1", "Pod", std::slice::from_ref(&pod), "Metadata", now());
        assert_eq!(t["kind"], "Table");
        assert_eq!(t["apiVersion"], "meta.k8s.io/v1");
        assert_eq!(t["metadata"], json!({}));
        assert_eq!(t["columnDefinitions"], column_definitions("v1", "Pod"));
        let row = &t["rows"][0];
        assert_eq!(
            row["object"],
            json!({
                "kind": "PartialObjectMetadata",
                "apiVersion": "meta.k8s.io/v1",
                "metadata": pod["metadata"].clone(),
            })
        );
        assert!(row.get("conditions").is_none());

        let t = to_table("v1", "Pod", std::slice::from_ref(&pod), "Object", now());
        assert_eq!(t["rows"][0]["object"], pod);
        let t = to_table("v1", "Pod", std::slice::from_ref(&pod), "None", now());
        assert_eq!(t["rows"][0]["object"], Value::Null);
        assert!(t["rows"][0].as_object().unwrap().contains_key("object"));
        // Unknown values behave like the default.
        let t = to_table("v1", "Pod", std::slice::from_ref(&pod), "", now());
        assert_eq!(t["rows"][0]["object"]["kind"], "PartialObjectMetadata");

        let empty = to_table("v1", "Pod", &[], "Metadata", now());
        assert_eq!(empty["rows"], json!([]));
    }

    // ---- pods ------------------------------------------------------------------------------

    fn pod(status: Value) -> Value {
        json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "web", "namespace": "default", "creationTimestamp": ago(300)},
            "spec": {"containers": [{"name": "app", "image": "nginx"}]},
            "status": status,
        })
    }

    #[test]
    fn pod_pending_without_node() {
        let cells = one("v1", "Pod", pod(json!({"phase": "Pending"})));
        assert_eq!(
            cells,
            json!([
                "web", "0/1", "Pending", "0", "5m", "<none>", "<none>", "<none>", "<none>"
            ])
            .as_array()
            .unwrap()
            .clone()
        );
        // Just created: no status at all.
        let mut p = pod(Value::Null);
        p.as_object_mut().unwrap().remove("status");
        let cells = one("v1", "Pod", p);
        assert_eq!(cells[1], "0/1");
        assert_eq!(cells[2], "");
        assert_eq!(cells[3], "0");
    }

    #[test]
    fn pod_running_with_restarts() {
        let mut p = pod(json!({
            "phase": "Running",
            "podIP": "10.244.1.5",
            "podIPs": [{"ip": "10.244.1.5"}, {"ip": "fd00::5"}],
            "conditions": [{"type": "Ready", "status": "True"}],
            "containerStatuses": [{
                "name": "app", "ready": true, "restartCount": 3, "started": true,
                "state": {"running": {"startedAt": ago(290)}},
                "lastState": {"terminated": {"exitCode": 1, "reason": "Error", "finishedAt": ago(300)}},
            }],
        }));
        p["spec"]["nodeName"] = json!("node-1");
        let cells = one("v1", "Pod", p);
        assert_eq!(cells[0], "web");
        assert_eq!(cells[1], "1/1");
        assert_eq!(cells[2], "Running");
        assert_eq!(cells[3], "3 (5m ago)");
        assert_eq!(cells[4], "5m");
        assert_eq!(cells[5], "10.244.1.5");
        assert_eq!(cells[6], "node-1");
        assert_eq!(cells[7], "<none>");
        assert_eq!(cells[8], "<none>");
    }

    #[test]
    fn pod_ip_from_pod_ips_only() {
        let cells = one(
            "v1",
            "Pod",
            pod(json!({"phase": "Running", "podIPs": [{"ip": "fd00::7"}]})),
        );
        assert_eq!(cells[5], "fd00::7");
    }

    #[test]
    fn pod_restarts_without_last_state_have_no_age() {
        let cells = one(
            "v1",
            "Pod",
            pod(json!({
                "phase": "Running",
                "containerStatuses": [{"name": "app", "ready": true, "restartCount": 2,
                    "state": {"running": {}}}],
            })),
        );
        assert_eq!(cells[3], "2");
        assert_eq!(cells[1], "1/1");
    }

    #[test]
    fn pod_waiting_reasons() {
        for reason in [
            "CrashLoopBackOff",
            "ErrImageNeverPull",
            "ImagePullBackOff",
            "ContainerCreating",
        ] {
            let cells = one(
                "v1",
                "Pod",
                pod(json!({
                    "phase": "Running",
                    "containerStatuses": [{"name": "app", "ready": false, "restartCount": 4,
                        "state": {"waiting": {"reason": reason}},
                        "lastState": {"terminated": {"exitCode": 1, "finishedAt": ago(125)}}}],
                })),
            );
            assert_eq!(cells[1], "0/1");
            assert_eq!(cells[2], reason);
            assert_eq!(cells[3], "4 (2m5s ago)");
        }
    }

    #[test]
    fn pod_first_container_reason_wins() {
        let mut p = pod(json!({
            "phase": "Running",
            "containerStatuses": [
                {"name": "a", "ready": false, "state": {"waiting": {"reason": "CrashLoopBackOff"}}},
                {"name": "b", "ready": true, "state": {"running": {}}},
            ],
        }));
        p["spec"]["containers"] = json!([{"name": "a"}, {"name": "b"}]);
        let cells = one("v1", "Pod", p);
        assert_eq!(cells[1], "1/2");
        assert_eq!(cells[2], "CrashLoopBackOff");
    }

    #[test]
    fn pod_completed_and_failed() {
        let t = to_table(
            "v1",
            "Pod",
            &[pod(json!({
                "phase": "Succeeded",
                "containerStatuses": [{"name": "app", "ready": false,
                    "state": {"terminated": {"exitCode": 0, "reason": "Completed"}}}],
            }))],
            "None",
            now(),
        );
        let row = &t["rows"][0];
        assert_eq!(row["cells"][1], "0/1");
        assert_eq!(row["cells"][2], "Completed");
        assert_eq!(
            row["conditions"],
            json!([{"type": "Completed", "status": "True", "reason": "Succeeded",
                "message": "The pod has completed successfully."}])
        );

        let t = to_table(
            "v1",
            "Pod",
            &[pod(json!({
                "phase": "Failed",
                "containerStatuses": [{"name": "app",
                    "state": {"terminated": {"exitCode": 137, "signal": 9}}}],
            }))],
            "None",
            now(),
        );
        assert_eq!(t["rows"][0]["cells"][2], "Signal:9");
        assert_eq!(t["rows"][0]["conditions"][0]["reason"], "Failed");

        let cells = one(
            "v1",
            "Pod",
            pod(json!({"phase": "Failed",
                "containerStatuses": [{"name": "app", "state": {"terminated": {"exitCode": 2}}}]})),
        );
        assert_eq!(cells[2], "ExitCode:2");

        let cells = one(
            "v1",
            "Pod",
            pod(json!({"phase": "Failed", "reason": "Evicted", "message": "low on memory"})),
        );
        assert_eq!(cells[2], "Evicted");
    }

    #[test]
    fn pod_completed_with_running_sibling() {
        let mut p = pod(json!({
            "phase": "Running",
            "conditions": [{"type": "Ready", "status": "False"}],
            "containerStatuses": [
                {"name": "a", "ready": false, "state": {"terminated": {"exitCode": 0, "reason": "Completed"}}},
                {"name": "b", "ready": true, "state": {"running": {}}},
            ],
        }));
        p["spec"]["containers"] = json!([{"name": "a"}, {"name": "b"}]);
        assert_eq!(one("v1", "Pod", p.clone())[2], "NotReady");
        p["status"]["conditions"] = json!([{"type": "Ready", "status": "True"}]);
        assert_eq!(one("v1", "Pod", p)[2], "Running");
    }

    #[test]
    fn pod_terminating_and_unknown() {
        let mut p = pod(json!({
            "phase": "Running",
            "containerStatuses": [{"name": "app", "ready": true, "state": {"running": {}}}],
        }));
        p["metadata"]["deletionTimestamp"] = json!(ago(5));
        assert_eq!(one("v1", "Pod", p.clone())[2], "Terminating");
        p["status"]["reason"] = json!("NodeLost");
        assert_eq!(one("v1", "Pod", p.clone())[2], "Unknown");
        // Terminal pods keep their status while being deleted.
        let mut done = pod(json!({"phase": "Succeeded",
            "containerStatuses": [{"name": "app", "state": {"terminated": {"exitCode": 0, "reason": "Completed"}}}]}));
        done["metadata"]["deletionTimestamp"] = json!(ago(5));
        assert_eq!(one("v1", "Pod", done)[2], "Completed");
    }

    #[test]
    fn pod_init_containers() {
        let mut p = pod(json!({
            "phase": "Pending",
            "initContainerStatuses": [
                {"name": "init-a", "ready": false, "state": {"waiting": {"reason": "PodInitializing"}}},
            ],
            "containerStatuses": [{"name": "app", "ready": false, "state": {"waiting": {"reason": "PodInitializing"}}}],
        }));
        p["spec"]["initContainers"] = json!([{"name": "init-a"}, {"name": "init-b"}]);
        assert_eq!(one("v1", "Pod", p.clone())[2], "Init:0/2");

        p["status"]["initContainerStatuses"] = json!([
            {"name": "init-a", "state": {"terminated": {"exitCode": 0, "reason": "Completed"}}},
            {"name": "init-b", "state": {"running": {}}},
        ]);
        assert_eq!(one("v1", "Pod", p.clone())[2], "Init:1/2");

        p["status"]["initContainerStatuses"] = json!([
            {"name": "init-a", "restartCount": 2, "state": {"waiting": {"reason": "CrashLoopBackOff"}},
             "lastState": {"terminated": {"exitCode": 1, "finishedAt": ago(60)}}},
        ]);
        let cells = one("v1", "Pod", p.clone());
        assert_eq!(cells[2], "Init:CrashLoopBackOff");
        assert_eq!(cells[3], "2 (60s ago)");

        p["status"]["initContainerStatuses"] = json!([
            {"name": "init-a", "state": {"terminated": {"exitCode": 1, "reason": "Error"}}},
        ]);
        assert_eq!(one("v1", "Pod", p.clone())[2], "Init:Error");
        p["status"]["initContainerStatuses"] = json!([
            {"name": "init-a", "state": {"terminated": {"exitCode": 3}}},
        ]);
        assert_eq!(one("v1", "Pod", p.clone())[2], "Init:ExitCode:3");
        p["status"]["initContainerStatuses"] = json!([
            {"name": "init-a", "state": {"terminated": {"exitCode": 1, "signal": 15}}},
        ]);
        assert_eq!(one("v1", "Pod", p)[2], "Init:Signal:15");
    }

    #[test]
    fn pod_sidecar_init_container_counts() {
        let mut p = pod(json!({
            "phase": "Running",
            "conditions": [{"type": "Initialized", "status": "True"}, {"type": "Ready", "status": "True"}],
            "initContainerStatuses": [
                {"name": "sidecar", "ready": true, "started": true, "restartCount": 1,
                 "state": {"running": {}},
                 "lastState": {"terminated": {"exitCode": 1, "finishedAt": ago(30)}}},
            ],
            "containerStatuses": [{"name": "app", "ready": true, "state": {"running": {}}}],
        }));
        p["spec"]["initContainers"] = json!([{"name": "sidecar", "restartPolicy": "Always"}]);
        let cells = one("v1", "Pod", p);
        assert_eq!(cells[1], "2/2");
        assert_eq!(cells[2], "Running");
        assert_eq!(cells[3], "1 (30s ago)");
    }

    #[test]
    fn pod_scheduling_gated_and_readiness_gates() {
        let mut p = pod(json!({
            "phase": "Pending",
            "conditions": [{"type": "PodScheduled", "status": "False", "reason": "SchedulingGated"}],
        }));
        assert_eq!(one("v1", "Pod", p.clone())[2], "SchedulingGated");
        p["spec"]["readinessGates"] = json!([{"conditionType": "a"}, {"conditionType": "b"}]);
        p["status"]["conditions"] =
            json!([{"type": "a", "status": "True"}, {"type": "b", "status": "False"}]);
        p["status"]["nominatedNodeName"] = json!("node-2");
        let cells = one("v1", "Pod", p);
        assert_eq!(cells[7], "node-2");
        assert_eq!(cells[8], "1/2");
    }

    // ---- nodes -----------------------------------------------------------------------------

    #[test]
    fn node_status_roles_and_wide() {
        let node = json!({
            "apiVersion": "v1", "kind": "Node",
            "metadata": {"name": "cp-1", "creationTimestamp": ago(3 * 86400 + 4 * 3600),
                "labels": {
                    "node-role.kubernetes.io/control-plane": "",
                    "node-role.kubernetes.io/worker": "",
                    "node-role.kubernetes.io/": "",
                    "kubernetes.io/role": "master",
                    "kubernetes.io/hostname": "cp-1",
                }},
            "spec": {"unschedulable": true},
            "status": {
                "conditions": [{"type": "MemoryPressure", "status": "False"}, {"type": "Ready", "status": "True"}],
                "addresses": [{"type": "Hostname", "address": "cp-1"}, {"type": "InternalIP", "address": "192.168.1.10"}],
                "nodeInfo": {"kubeletVersion": "v1.33.1", "osImage": "Debian GNU/Linux 12 (bookworm)",
                    "kernelVersion": "6.1.0-18-amd64", "containerRuntimeVersion": "containerd://1.7.13"},
            },
        });
        let cells = one("v1", "Node", node);
        assert_eq!(
            cells,
            json!([
                "cp-1",
                "Ready,SchedulingDisabled",
                "control-plane,master,worker",
                "3d4h",
                "v1.33.1",
                "192.168.1.10",
                "<none>",
                "Debian GNU/Linux 12 (bookworm)",
                "6.1.0-18-amd64",
                "containerd://1.7.13"
            ])
            .as_array()
            .unwrap()
            .clone()
        );
        assert_eq!(
            column_names("v1", "Node"),
            [
                "Name",
                "Status",
                "Roles",
                "Age",
                "Version",
                "Internal-IP",
                "External-IP",
                "OS-Image",
                "Kernel-Version",
                "Container-Runtime"
            ]
        );
    }

    #[test]
    fn node_not_ready_and_unknown() {
        let node = json!({"metadata": {"name": "n"},
            "status": {"conditions": [{"type": "Ready", "status": "Unknown"}]}});
        let cells = one("v1", "Node", node);
        assert_eq!(cells[1], "NotReady");
        assert_eq!(cells[2], "<none>");
        assert_eq!(cells[3], "<unknown>");
        assert_eq!(cells[7], "<unknown>");
        let node = json!({"metadata": {"name": "n"}});
        let cells = one("v1", "Node", node);
        assert_eq!(cells[1], "Unknown");
        assert_eq!(cells[4], "");
        assert_eq!(cells[5], "<none>");
    }

    // ---- workloads -------------------------------------------------------------------------

    #[test]
    fn deployment_ready_column() {
        let d = json!({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web", "creationTimestamp": ago(600)},
            "spec": {"replicas": 3,
                "selector": {"matchLabels": {"app": "web", "tier": "fe"}},
                "template": {"spec": {"containers": [{"name": "nginx", "image": "nginx:1.27"}, {"name": "sidecar", "image": "busybox"}]}}},
            "status": {"readyReplicas": 2, "updatedReplicas": 3, "availableReplicas": 2},
        });
        let cells = one("apps/v1", "Deployment", d);
        assert_eq!(
            cells,
            json!([
                "web",
                "2/3",
                3,
                2,
                "10m",
                "nginx,sidecar",
                "nginx:1.27,busybox",
                "app=web,tier=fe"
            ])
            .as_array()
            .unwrap()
            .clone()
        );
        assert_eq!(
            column_names("apps/v1", "Deployment"),
            [
                "Name",
                "Ready",
                "Up-to-date",
                "Available",
                "Age",
                "Containers",
                "Images",
                "Selector"
            ]
        );
        // Fresh object, no status; replicas defaulted to 1; nil selector prints "".
        let cells = one("apps/v1", "Deployment", json!({"metadata": {"name": "x"}}));
        assert_eq!(cells[1], "0/1");
        assert_eq!(cells[2], 0);
        assert_eq!(cells[7], "");
    }

    #[test]
    fn replicaset_statefulset_daemonset_rc() {
        let rs = json!({"metadata": {"name": "rs"}, "spec": {"replicas": 2, "selector": {"matchLabels": {"a": "b"}}},
            "status": {"replicas": 2, "readyReplicas": 1}});
        assert_eq!(
            one("apps/v1", "ReplicaSet", rs)[..4],
            json!(["rs", 2, 2, 1]).as_array().unwrap()[..]
        );
        let sts = json!({"metadata": {"name": "db"}, "spec": {"replicas": 3}, "status": {"readyReplicas": 3}});
        assert_eq!(one("apps/v1", "StatefulSet", sts)[1], "3/3");
        let ds = json!({"metadata": {"name": "ds"}, "spec": {"template": {"spec": {"nodeSelector": {"kubernetes.io/os": "linux"}}}},
            "status": {"desiredNumberScheduled": 3, "currentNumberScheduled": 3, "numberReady": 2, "updatedNumberScheduled": 3, "numberAvailable": 2}});
        let cells = one("apps/v1", "DaemonSet", ds);
        assert_eq!(
            cells[1..7],
            json!([3, 3, 2, 3, 2, "kubernetes.io/os=linux"])
                .as_array()
                .unwrap()[..]
        );
        assert_eq!(cells[10], "<none>");
        let rc = json!({"metadata": {"name": "rc"}, "spec": {"selector": {"app": "x"}}});
        let cells = one("v1", "ReplicationController", rc);
        assert_eq!(cells[1], 1);
        assert_eq!(cells[7], "app=x");
    }

    #[test]
    fn job_status_completions_duration() {
        let job = json!({
            "apiVersion": "batch/v1", "kind": "Job",
            "metadata": {"name": "pi", "creationTimestamp": ago(600)},
            "spec": {"completions": 1, "parallelism": 1, "template": {"spec": {"containers": [{"name": "pi", "image": "perl"}]}},
                "selector": {"matchLabels": {"batch.kubernetes.io/controller-uid": "abc"}}},
            "status": {"succeeded": 1, "startTime": ago(590), "completionTime": ago(550),
                "conditions": [{"type": "SuccessCriteriaMet", "status": "True"}, {"type": "Complete", "status": "True"}]},
        });
        assert_eq!(
            one("batch/v1", "Job", job),
            json!([
                "pi",
                "Complete",
                "1/1",
                "40s",
                "10m",
                "pi",
                "perl",
                "batch.kubernetes.io/controller-uid=abc"
            ])
            .as_array()
            .unwrap()
            .clone()
        );
        assert_eq!(
            column_names("batch/v1", "Job"),
            [
                "Name",
                "Status",
                "Completions",
                "Duration",
                "Age",
                "Containers",
                "Images",
                "Selector"
            ]
        );
        let running = json!({"metadata": {"name": "j"}, "spec": {"parallelism": 3},
            "status": {"startTime": ago(125), "succeeded": 1}});
        let cells = one("batch/v1", "Job", running);
        assert_eq!(cells[1], "Running");
        assert_eq!(cells[2], "1/1 of 3");
        assert_eq!(cells[3], "2m5s");
        let fresh = one("batch/v1", "Job", json!({"metadata": {"name": "j"}}));
        assert_eq!(fresh[1], "Running");
        assert_eq!(fresh[2], "0/1");
        assert_eq!(fresh[3], "");
        let failed = json!({"metadata": {"name": "j", "deletionTimestamp": ago(1)},
            "status": {"conditions": [{"type": "Failed", "status": "True"}]}});
        assert_eq!(one("batch/v1", "Job", failed)[1], "Failed");
        let terminating = json!({"metadata": {"name": "j", "deletionTimestamp": ago(1)},
            "status": {"conditions": [{"type": "Suspended", "status": "True"}]}});
        assert_eq!(one("batch/v1", "Job", terminating)[1], "Terminating");
        let suspended = json!({"metadata": {"name": "j"},
            "status": {"conditions": [{"type": "Complete", "status": "False"}, {"type": "Suspended", "status": "True"}]}});
        assert_eq!(one("batch/v1", "Job", suspended)[1], "Suspended");
    }

    #[test]
    fn cronjob_row_cells() {
        let cj = json!({"metadata": {"name": "hello", "creationTimestamp": ago(7200)},
            "spec": {"schedule": "*/5 * * * *", "jobTemplate": {"spec": {"template": {"spec": {"containers": [{"name": "c", "image": "busybox"}]}}}}},
            "status": {"active": [{"name": "hello-1"}], "lastScheduleTime": ago(65)}});
        assert_eq!(
            one("batch/v1", "CronJob", cj),
            json!([
                "hello",
                "*/5 * * * *",
                "<none>",
                "False",
                1,
                "65s",
                "120m",
                "c",
                "busybox",
                "<none>"
            ])
            .as_array()
            .unwrap()
            .clone()
        );
        let cj =
            json!({"metadata": {"name": "x"}, "spec": {"timeZone": "Etc/UTC", "suspend": true}});
        let cells = one("batch/v1", "CronJob", cj);
        assert_eq!(cells[2], "Etc/UTC");
        assert_eq!(cells[3], "True");
        assert_eq!(cells[5], "<none>");
    }

    // ---- services / networking -----------------------------------------------------------

    #[test]
    fn service_ports_and_ips() {
        let svc = json!({
            "apiVersion": "v1", "kind": "Service",
            "metadata": {"name": "web", "creationTimestamp": ago(86400 * 2)},
            "spec": {"type": "NodePort", "clusterIP": "10.96.12.34", "clusterIPs": ["10.96.12.34"],
                "ports": [{"port": 80, "protocol": "TCP"}, {"port": 443, "nodePort": 30443, "protocol": "TCP"}],
                "selector": {"app": "web"}},
        });
        assert_eq!(
            one("v1", "Service", svc),
            json!([
                "web",
                "NodePort",
                "10.96.12.34",
                "<none>",
                "80/TCP,443:30443/TCP",
                "2d",
                "app=web"
            ])
            .as_array()
            .unwrap()
            .clone()
        );
        assert_eq!(
            column_names("v1", "Service"),
            [
                "Name",
                "Type",
                "Cluster-IP",
                "External-IP",
                "Port(s)",
                "Age",
                "Selector"
            ]
        );

        let lb = json!({"metadata": {"name": "lb"},
            "spec": {"type": "LoadBalancer", "clusterIP": "10.0.0.1", "ports": [{"port": 53, "protocol": "UDP", "nodePort": 31000}]}});
        let cells = one("v1", "Service", lb.clone());
        assert_eq!(cells[3], "<pending>");
        assert_eq!(cells[4], "53:31000/UDP");
        let mut lb2 = lb;
        lb2["status"] = json!({"loadBalancer": {"ingress": [{"ip": "203.0.113.9"}, {"hostname": "a.example.com"}, {"ip": "203.0.113.9"}]}});
        lb2["spec"]["externalIPs"] = json!(["198.51.100.1"]);
        assert_eq!(
            one("v1", "Service", lb2)[3],
            "203.0.113.9,a.example.com,198.51.100.1"
        );

        let headless =
            json!({"metadata": {"name": "h"}, "spec": {"clusterIP": "None", "selector": {}}});
        let cells = one("v1", "Service", headless);
        assert_eq!(cells[1], "ClusterIP");
        assert_eq!(cells[2], "None");
        assert_eq!(cells[4], "<none>");
        assert_eq!(cells[6], "<none>");

        let ext = json!({"metadata": {"name": "e"}, "spec": {"type": "ExternalName", "externalName": "example.com"}});
        let cells = one("v1", "Service", ext);
        assert_eq!(cells[2], "<none>");
        assert_eq!(cells[3], "example.com");
        // Missing protocol defaults to TCP.
        let p = json!({"metadata": {"name": "p"}, "spec": {"ports": [{"port": 8080}]}});
        assert_eq!(one("v1", "Service", p)[4], "8080/TCP");
    }

    #[test]
    fn endpoints_and_slices() {
        let ep = json!({"metadata": {"name": "web"}, "subsets": [
            {"addresses": [{"ip": "10.0.0.1"}, {"ip": "10.0.0.2"}], "ports": [{"port": 80}, {"port": 443}]},
            {"addresses": [{"ip": "fd00::1"}], "ports": [{"port": 80}]},
        ]});
        assert_eq!(
            one("v1", "Endpoints", ep)[1],
            "10.0.0.1:80,10.0.0.2:80,10.0.0.1:443 + 2 more..."
        );
        let ep = json!({"metadata": {"name": "web"}, "subsets": [{"addresses": [{"ip": "fd00::1"}], "ports": [{"port": 80}]}]});
        assert_eq!(one("v1", "Endpoints", ep)[1], "[fd00::1]:80");
        assert_eq!(
            one("v1", "Endpoints", json!({"metadata": {"name": "e"}}))[1],
            "<none>"
        );

        let eps = json!({"metadata": {"name": "web-abc"}, "addressType": "IPv4",
            "ports": [{"port": 80, "name": "http"}, {"name": "x"}, {}],
            "endpoints": [{"addresses": ["10.0.0.1"]}, {"addresses": ["10.0.0.2", "10.0.0.3", "10.0.0.4"]}]});
        let cells = one("discovery.k8s.io/v1", "EndpointSlice", eps);
        assert_eq!(cells[1], "IPv4");
        assert_eq!(cells[2], "80,x,*");
        assert_eq!(cells[3], "10.0.0.1,10.0.0.2,10.0.0.3 + 1 more...");
        let empty = one(
            "discovery.k8s.io/v1",
            "EndpointSlice",
            json!({"metadata": {"name": "e"}}),
        );
        assert_eq!(empty[2], "<unset>");
        assert_eq!(empty[3], "<unset>");
    }

    #[test]
    fn ingress_and_ingress_class() {
        let ing = json!({"metadata": {"name": "i"}, "spec": {"ingressClassName": "nginx",
            "rules": [{"host": "a.com"}, {}, {"host": "b.com"}, {"host": "c.com"}, {"host": "d.com"}],
            "tls": [{"hosts": ["a.com"]}]},
            "status": {"loadBalancer": {"ingress": [{"ip": "1.2.3.4"}]}}});
        let cells = one("networking.k8s.io/v1", "Ingress", ing);
        assert_eq!(
            cells[1..5],
            json!([
                "nginx",
                "a.com,b.com,c.com + 2 more...",
                "1.2.3.4",
                "80, 443"
            ])
            .as_array()
            .unwrap()[..]
        );
        let cells = one(
            "networking.k8s.io/v1",
            "Ingress",
            json!({"metadata": {"name": "i"}}),
        );
        assert_eq!(
            cells[1..5],
            json!(["<none>", "*", "", "80"]).as_array().unwrap()[..]
        );
        let ic = json!({"metadata": {"name": "nginx"}, "spec": {"controller": "k8s.io/ingress-nginx",
            "parameters": {"apiGroup": "k8s.example.com", "kind": "IngressParameters", "name": "p"}}});
        assert_eq!(
            one("networking.k8s.io/v1", "IngressClass", ic)[2],
            "IngressParameters.k8s.example.com/p"
        );
    }

    #[test]
    fn label_selectors() {
        let sel = json!({"matchLabels": {"b": "2", "a": "1"}, "matchExpressions": [
            {"key": "env", "operator": "In", "values": ["prod", "dev"]},
            {"key": "tier", "operator": "NotIn", "values": ["x"]},
            {"key": "c", "operator": "Exists"},
            {"key": "d", "operator": "DoesNotExist"},
        ]});
        assert_eq!(
            format_label_selector(Some(&sel)),
            "a=1,b=2,c,!d,env in (dev,prod),tier notin (x)"
        );
        assert_eq!(format_label_selector(None), "<none>");
        assert_eq!(format_label_selector(Some(&json!({}))), "<none>");
        assert_eq!(
            format_label_selector(Some(
                &json!({"matchExpressions": [{"key": "a", "operator": "Bogus"}]})
            )),
            "<error>"
        );
        assert_eq!(
            format_label_selector(Some(
                &json!({"matchExpressions": [{"key": "a", "operator": "In", "values": []}]})
            )),
            "<error>"
        );
        assert_eq!(
            format_label_selector(Some(&json!({"matchLabels": {"bad key": "x"}}))),
            "<error>"
        );
        assert_eq!(
            format_label_selector(Some(
                &json!({"matchLabels": {"app.kubernetes.io/name": "x_y.z"}})
            )),
            "app.kubernetes.io/name=x_y.z"
        );
        let d = json!({"metadata": {"name": "d"}, "spec": {"selector": {"matchLabels": {"k": "-bad"}}}});
        assert_eq!(one("apps/v1", "Deployment", d)[7], "<invalid>");
        let np = json!({"metadata": {"name": "np"}, "spec": {"podSelector": {}}});
        assert_eq!(
            one("networking.k8s.io/v1", "NetworkPolicy", np)[1],
            "<none>"
        );
        assert_eq!(
            format_labels(json!({"a.b": "2", "a": "1"}).as_object()),
            "a.b=2,a=1"
        );
    }

    // ---- events ----------------------------------------------------------------------------

    #[test]
    fn core_event() {
        let ev = json!({
            "apiVersion": "v1", "kind": "Event",
            "metadata": {"name": "web.17a", "namespace": "default"},
            "involvedObject": {"kind": "Pod", "name": "web", "fieldPath": "spec.containers{app}"},
            "reason": "BackOff", "type": "Warning",
            "message": "Back-off restarting failed container\n",
            "source": {"component": "kubelet", "host": "node-1"},
            "firstTimestamp": ago(3600), "lastTimestamp": ago(30), "count": 12,
        });
        assert_eq!(
            one("v1", "Event", ev),
            json!([
                "30s",
                "Warning",
                "BackOff",
                "pod/web",
                "spec.containers{app}",
                "kubelet, node-1",
                "Back-off restarting failed container",
                "60m",
                12,
                "web.17a"
            ])
            .as_array()
            .unwrap()
            .clone()
        );
        let cols = column_definitions("v1", "Event");
        let names: Vec<&str> = cols
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap())
            .collect();
        assert_eq!(
            names,
            [
                "Last Seen",
                "Type",
                "Reason",
                "Object",
                "Subobject",
                "Source",
                "Message",
                "First Seen",
                "Count",
                "Name"
            ]
        );
        assert_eq!(cols[9]["format"], "name");
        assert_eq!(cols[9]["priority"], 1);
        assert_eq!(cols[0]["format"], "");

        // New-style event through the core API: eventTime, reportingComponent, no count.
        let ev = json!({"metadata": {"name": "e"}, "eventTime": "2024-05-01T11:58:59.876543Z",
            "reportingComponent": "default-scheduler", "reportingInstance": "sched-1",
            "involvedObject": {"kind": "Node"}, "type": "Normal", "reason": "Scheduled"});
        let cells = one("v1", "Event", ev);
        assert_eq!(cells[0], "60s");
        assert_eq!(cells[3], "node");
        assert_eq!(cells[5], "default-scheduler, sched-1");
        assert_eq!(cells[7], "60s");
        assert_eq!(cells[8], 1);
        let cells = one("v1", "Event", json!({"metadata": {"name": "e"}}));
        assert_eq!(cells[0], "<unknown>");
        assert_eq!(cells[8], 1);
    }

    #[test]
    fn events_k8s_io_event() {
        let ev = json!({
            "apiVersion": "events.k8s.io/v1", "kind": "Event",
            "metadata": {"name": "web.17b"},
            "regarding": {"kind": "Deployment", "name": "web"},
            "note": "Scaled up replica set web-abc to 3", "reason": "ScalingReplicaSet", "type": "Normal",
            "reportingController": "deployment-controller", "eventTime": ago(600),
            "series": {"count": 4, "lastObservedTime": ago(5)},
        });
        let cells = one("events.k8s.io/v1", "Event", ev);
        assert_eq!(
            cells,
            json!([
                "5s",
                "Normal",
                "ScalingReplicaSet",
                "deployment/web",
                "",
                "deployment-controller",
                "Scaled up replica set web-abc to 3",
                "10m",
                4,
                "web.17b"
            ])
            .as_array()
            .unwrap()
            .clone()
        );
        assert_eq!(
            column_names("events.k8s.io/v1", "Event"),
            column_names("v1", "Event")
        );
    }

    // ---- config, storage, misc ---------------------------------------------------------------

    #[test]
    fn simple_kinds() {
        let cm = json!({"metadata": {"name": "cfg", "creationTimestamp": ago(45)}, "data": {"a": "1", "b": "2"}, "binaryData": {"c": "AA=="}});
        assert_eq!(
            one("v1", "ConfigMap", cm),
            json!(["cfg", 3, "45s"]).as_array().unwrap().clone()
        );
        let s = json!({"metadata": {"name": "tls"}, "type": "kubernetes.io/tls", "data": {"tls.crt": "", "tls.key": ""}});
        assert_eq!(
            one("v1", "Secret", s)[..3],
            json!(["tls", "kubernetes.io/tls", 2]).as_array().unwrap()[..]
        );
        assert_eq!(
            one("v1", "Secret", json!({"metadata": {"name": "o"}}))[1],
            "Opaque"
        );
        assert_eq!(
            one(
                "v1",
                "Secret",
                json!({"metadata": {"name": "o"}, "type": ""})
            )[1],
            "Opaque"
        );
        let svc = json!({"metadata": {"name": "s"}, "spec": {"type": ""}});
        assert_eq!(one("v1", "Service", svc)[1], "ClusterIP");
        let sa = json!({"metadata": {"name": "default"}});
        assert_eq!(one("v1", "ServiceAccount", sa)[1], 0);
        let ns = json!({"metadata": {"name": "kube-system"}, "status": {"phase": "Terminating"}});
        assert_eq!(one("v1", "Namespace", ns)[1], "Terminating");
        assert_eq!(
            one("v1", "Namespace", json!({"metadata": {"name": "n"}}))[1],
            "Active"
        );
        let lease =
            json!({"metadata": {"name": "kube-scheduler"}, "spec": {"holderIdentity": "cp-1_abc"}});
        assert_eq!(one("coordination.k8s.io/v1", "Lease", lease)[1], "cp-1_abc");
        assert_eq!(
            column_names("coordination.k8s.io/v1", "Lease"),
            ["Name", "Holder", "Age"]
        );
        let pc = json!({"metadata": {"name": "system-cluster-critical"}, "value": 2000000000});
        assert_eq!(
            one("scheduling.k8s.io/v1", "PriorityClass", pc),
            json!([
                "system-cluster-critical",
                2000000000,
                false,
                "<unknown>",
                "PreemptLowerPriority"
            ])
            .as_array()
            .unwrap()
            .clone()
        );
        let pdb = json!({"metadata": {"name": "pdb"}, "spec": {"minAvailable": "50%"}, "status": {"disruptionsAllowed": 1}});
        assert_eq!(
            one("policy/v1", "PodDisruptionBudget", pdb)[1..4],
            json!(["50%", "N/A", 1]).as_array().unwrap()[..]
        );
        let pdb = json!({"metadata": {"name": "pdb"}, "spec": {"maxUnavailable": 1}});
        assert_eq!(
            one("policy/v1", "PodDisruptionBudget", pdb)[1..3],
            json!(["N/A", "1"]).as_array().unwrap()[..]
        );
        let pt = json!({"metadata": {"name": "t"}, "template": {"metadata": {"labels": {"app": "x"}},
            "spec": {"containers": [{"name": "a", "image": "ia"}]}}});
        assert_eq!(
            one("v1", "PodTemplate", pt),
            json!(["t", "a", "ia", "app=x"]).as_array().unwrap().clone()
        );
    }

    #[test]
    fn storage_kinds() {
        let pv = json!({"metadata": {"name": "pv1", "annotations": {"volume.beta.kubernetes.io/storage-class": "old"}},
            "spec": {"capacity": {"storage": "10Gi"}, "accessModes": ["ReadWriteMany", "ReadWriteOnce", "ReadWriteOnce"],
                "claimRef": {"namespace": "default", "name": "data"}, "storageClassName": "standard"},
            "status": {"phase": "Bound"}});
        assert_eq!(
            one("v1", "PersistentVolume", pv),
            json!([
                "pv1",
                "10Gi",
                "RWO,RWX",
                "Retain",
                "Bound",
                "default/data",
                "old",
                "<unset>",
                "",
                "<unknown>",
                "Filesystem"
            ])
            .as_array()
            .unwrap()
            .clone()
        );
        let pvc = json!({"metadata": {"name": "data"}, "spec": {"storageClassName": "standard", "volumeName": "pv1",
            "resources": {"requests": {"storage": "1Gi"}}},
            "status": {"phase": "Bound", "capacity": {"storage": "10Gi"}, "accessModes": ["ReadWriteOncePod"]}});
        assert_eq!(
            one("v1", "PersistentVolumeClaim", pvc)[..7],
            json!([
                "data", "Bound", "pv1", "10Gi", "RWOP", "standard", "<unset>"
            ])
            .as_array()
            .unwrap()[..]
        );
        let pending = json!({"metadata": {"name": "d", "deletionTimestamp": ago(1)}, "spec": {}});
        let cells = one("v1", "PersistentVolumeClaim", pending);
        assert_eq!(
            cells[1..6],
            json!(["Terminating", "", "", "", ""]).as_array().unwrap()[..]
        );
        let sc = json!({"metadata": {"name": "standard", "annotations": {"storageclass.kubernetes.io/is-default-class": "true"}},
            "provisioner": "rancher.io/local-path", "volumeBindingMode": "WaitForFirstConsumer"});
        assert_eq!(
            one("storage.k8s.io/v1", "StorageClass", sc)[..5],
            json!([
                "standard (default)",
                "rancher.io/local-path",
                "Delete",
                "WaitForFirstConsumer",
                false
            ])
            .as_array()
            .unwrap()[..]
        );
        let drv = json!({"metadata": {"name": "csi.example.com"}, "spec": {"tokenRequests": [{"audience": "a"}, {"audience": "b"}]}});
        assert_eq!(
            one("storage.k8s.io/v1", "CSIDriver", drv)[..7],
            json!([
                "csi.example.com",
                true,
                false,
                false,
                "a,b",
                false,
                "Persistent"
            ])
            .as_array()
            .unwrap()[..]
        );
        let node = json!({"metadata": {"name": "n"}, "spec": {"drivers": [{"name": "a"}]}});
        assert_eq!(one("storage.k8s.io/v1", "CSINode", node)[1], 1);
        let va = json!({"metadata": {"name": "va"}, "spec": {"attacher": "csi.x", "nodeName": "n1", "source": {"persistentVolumeName": "pv1"}},
            "status": {"attached": true}});
        assert_eq!(
            one("storage.k8s.io/v1", "VolumeAttachment", va)[..5],
            json!(["va", "csi.x", "pv1", "n1", true])
                .as_array()
                .unwrap()[..]
        );
        assert_eq!(
            column_definitions("storage.k8s.io/v1", "VolumeAttachment")[1]["format"],
            "name"
        );
    }

    #[test]
    fn rbac_and_default_table() {
        let rb = json!({"metadata": {"name": "rb"}, "roleRef": {"kind": "ClusterRole", "name": "view"},
            "subjects": [{"kind": "User", "name": "alice"}, {"kind": "Group", "name": "devs"},
                {"kind": "ServiceAccount", "namespace": "ci", "name": "bot"}, {"kind": "User", "name": "bob"}]});
        assert_eq!(
            one("rbac.authorization.k8s.io/v1", "RoleBinding", rb),
            json!([
                "rb",
                "ClusterRole/view",
                "<unknown>",
                "alice, bob",
                "devs",
                "ci/bot"
            ])
            .as_array()
            .unwrap()
            .clone()
        );
        for kind in ["Role", "ClusterRole"] {
            let cols = column_definitions("rbac.authorization.k8s.io/v1", kind);
            assert_eq!(cols[1]["name"], "Created At");
            assert_eq!(cols[1]["type"], "date");
        }
        assert_eq!(column_names("v1", "LimitRange"), ["Name", "Created At"]);
        assert_eq!(
            column_names("apiextensions.k8s.io/v1", "CustomResourceDefinition"),
            ["Name", "Created At"]
        );
        let role = json!({"metadata": {"name": "r", "creationTimestamp": "2024-01-02T03:04:05Z"}});
        assert_eq!(
            one("rbac.authorization.k8s.io/v1", "Role", role),
            json!(["r", "2024-01-02T03:04:05Z"])
                .as_array()
                .unwrap()
                .clone()
        );
        let role =
            json!({"metadata": {"name": "r", "creationTimestamp": "2024-01-02T04:04:05+01:00"}});
        assert_eq!(
            one("rbac.authorization.k8s.io/v1", "Role", role)[1],
            "2024-01-02T03:04:05Z"
        );
        assert_eq!(
            one("example.com/v1", "Widget", json!({}))[1],
            "0001-01-01T00:00:00Z"
        );
    }

    #[test]
    fn hpa_targets() {
        let hpa = json!({"metadata": {"name": "web"}, "spec": {"scaleTargetRef": {"kind": "Deployment", "name": "web"},
            "maxReplicas": 10}, "status": {"currentReplicas": 2}});
        assert_eq!(
            one("autoscaling/v2", "HorizontalPodAutoscaler", hpa)[..6],
            json!(["web", "Deployment/web", "cpu: <unknown>/80%", "1", 10, 2])
                .as_array()
                .unwrap()[..]
        );
        let hpa = json!({"metadata": {"name": "web"}, "spec": {"minReplicas": 2, "metrics": [
            {"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 50}}},
            {"type": "Resource", "resource": {"name": "memory", "target": {"type": "AverageValue", "averageValue": "100Mi"}}},
            {"type": "Pods", "pods": {"metric": {"name": "qps"}, "target": {"type": "AverageValue", "averageValue": "1k"}}},
        ]},
        "status": {"currentMetrics": [
            {"type": "Resource", "resource": {"name": "cpu", "current": {"averageUtilization": 34, "averageValue": "68m"}}},
            {"type": "Resource", "resource": {"name": "memory", "current": {"averageValue": "50Mi"}}},
        ]}});
        let cells = one("autoscaling/v2", "HorizontalPodAutoscaler", hpa);
        assert_eq!(cells[2], "cpu: 34%/50%, memory: 50Mi/100Mi + 1 more...");
        assert_eq!(cells[3], "2");
        let v1 = json!({"metadata": {"name": "web"}, "spec": {"targetCPUUtilizationPercentage": 70},
            "status": {"currentCPUUtilizationPercentage": 12}});
        assert_eq!(
            one("autoscaling/v1", "HorizontalPodAutoscaler", v1)[2],
            "cpu: 12%/70%"
        );
    }

    #[test]
    fn quota_revision_webhooks_apiservice() {
        let rq = json!({"metadata": {"name": "q"}, "status": {
            "hard": {"pods": "10", "limits.cpu": "2", "requests.cpu": "1", "limits.memory": "1Gi"},
            "used": {"pods": "3", "limits.cpu": "500m"}}});
        assert_eq!(
            one("v1", "ResourceQuota", rq)[1..3],
            json!([
                "pods: 3/10, requests.cpu: 0/1",
                "limits.cpu: 500m/2, limits.memory: 0/1Gi"
            ])
            .as_array()
            .unwrap()[..]
        );
        let cr = json!({"metadata": {"name": "web-5d4f", "ownerReferences": [
            {"apiVersion": "apps/v1", "kind": "StatefulSet", "name": "web", "controller": true}]}, "revision": 3});
        assert_eq!(
            one("apps/v1", "ControllerRevision", cr)[1..3],
            json!(["statefulset.apps/web", 3]).as_array().unwrap()[..]
        );
        let wh = json!({"metadata": {"name": "w"}, "webhooks": [{}, {}]});
        assert_eq!(
            one(
                "admissionregistration.k8s.io/v1",
                "ValidatingWebhookConfiguration",
                wh
            )[1],
            2
        );
        let api = json!({"metadata": {"name": "v1beta1.metrics.k8s.io"},
            "spec": {"service": {"namespace": "kube-system", "name": "metrics-server"}},
            "status": {"conditions": [{"type": "Available", "status": "False", "reason": "MissingEndpoints"}]}});
        assert_eq!(
            one("apiregistration.k8s.io/v1", "APIService", api)[1..3],
            json!(["kube-system/metrics-server", "False (MissingEndpoints)"])
                .as_array()
                .unwrap()[..]
        );
        let local = json!({"metadata": {"name": "v1."}, "status": {"conditions": [{"type": "Available", "status": "True"}]}});
        assert_eq!(
            one("apiregistration.k8s.io/v1", "APIService", local)[1..3],
            json!(["Local", "True"]).as_array().unwrap()[..]
        );
    }

    #[test]
    fn flow_schemas_are_sorted() {
        let mk = |name: &str, p: i64| {
            json!({"metadata": {"name": name}, "spec": {"matchingPrecedence": p,
            "priorityLevelConfiguration": {"name": "workload-low"}}})
        };
        let rows = rows(
            "flowcontrol.apiserver.k8s.io/v1",
            "FlowSchema",
            &[mk("b", 1000), mk("a", 1000), mk("exempt", 1)],
        );
        let names: Vec<&str> = rows.iter().map(|r| r[0].as_str().unwrap()).collect();
        assert_eq!(names, ["exempt", "a", "b"]);
        assert_eq!(
            rows[0][1..4],
            json!(["workload-low", 1, "<none>"]).as_array().unwrap()[..]
        );
        assert_eq!(rows[0][5], "?");
    }

    // ---- custom resources --------------------------------------------------------------------

    #[test]
    fn custom_resources() {
        let cols = [
            json!({"name": "Ready", "type": "string", "jsonPath": ".status.conditions[?(@.type==\"Ready\")].status"}),
            json!({"name": "Replicas", "type": "integer", "jsonPath": ".spec.replicas", "priority": 1}),
            json!({"name": "Tags", "type": "string", "jsonPath": ".spec.tags"}),
            json!({"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"}),
            json!({"name": "Missing", "type": "string", "jsonPath": ".spec.nothing", "description": "d"}),
        ];
        let obj = json!({"metadata": {"name": "w1", "creationTimestamp": ago(90)},
            "spec": {"replicas": 2.0, "tags": ["a", "b"]},
            "status": {"conditions": [{"type": "Synced", "status": "False"}, {"type": "Ready", "status": "True"}]}});
        let t = custom_resource_table(&cols, &[obj], "None", now());
        assert_eq!(
            t["rows"][0]["cells"],
            json!(["w1", "True", 2, "[a b]", "90s", null])
        );
        let defs = custom_resource_column_definitions(&cols);
        assert_eq!(defs[0]["name"], "Name");
        assert_eq!(defs[0]["format"], "name");
        assert_eq!(defs[2]["priority"], 1);
        assert_eq!(
            defs[1]["description"],
            "Custom resource definition column (in JSONPath format): .status.conditions[?(@.type==\"Ready\")].status"
        );
        assert_eq!(defs[5]["description"], "d");

        let t = custom_resource_table(
            &[],
            &[json!({"metadata": {"name": "x", "creationTimestamp": ago(7200)}})],
            "Metadata",
            now(),
        );
        assert_eq!(t["columnDefinitions"][1]["name"], "Age");
        assert_eq!(t["columnDefinitions"][1]["type"], "date");
        assert_eq!(t["rows"][0]["cells"], json!(["x", "120m"]));
        assert_eq!(t["rows"][0]["object"]["kind"], "PartialObjectMetadata");
    }

    #[test]
    fn json_path_subset() {
        let obj = json!({"a": {"b.c": [1, {"d": "x"}], "n": 1.5}, "list": [{"k": 1}, {"k": 2}]});
        let eval = |p: &str| -> Vec<Value> {
            eval_json_path(&parse_json_path(p).unwrap(), &obj)
                .into_iter()
                .cloned()
                .collect()
        };
        assert_eq!(eval(".a['b.c'][1].d"), [json!("x")]);
        assert_eq!(eval("{.a.n}"), [json!(1.5)]);
        assert_eq!(eval(".list[*].k"), [json!(1), json!(2)]);
        assert_eq!(eval(".list[-1].k"), [json!(2)]);
        assert_eq!(eval(".list[?(@.k==2)].k"), [json!(2)]);
        assert_eq!(eval(".list[?(@.k!=2)].k"), [json!(1)]);
        assert!(eval(".nope.x").is_empty());
        assert!(parse_json_path(".a[?(").is_none());
        assert_eq!(
            go_print(&json!({"b": 1, "a": [true, null]})),
            "map[a:[true <nil>] b:1]"
        );
        assert_eq!(go_float(1e21), "1e+21");
        assert_eq!(go_float(0.00001), "1e-05");
        assert_eq!(go_float(2.5), "2.5");
    }

    // ---- robustness --------------------------------------------------------------------------

    const ALL_KINDS: &[(&str, &str)] = &[
        ("v1", "Pod"),
        ("v1", "PodTemplate"),
        ("v1", "ReplicationController"),
        ("v1", "Service"),
        ("v1", "Endpoints"),
        ("v1", "Node"),
        ("v1", "Event"),
        ("events.k8s.io/v1", "Event"),
        ("v1", "Namespace"),
        ("v1", "Secret"),
        ("v1", "ServiceAccount"),
        ("v1", "PersistentVolume"),
        ("v1", "PersistentVolumeClaim"),
        ("v1", "ComponentStatus"),
        ("v1", "ConfigMap"),
        ("v1", "ResourceQuota"),
        ("v1", "LimitRange"),
        ("policy/v1", "PodDisruptionBudget"),
        ("apps/v1", "ReplicaSet"),
        ("apps/v1", "DaemonSet"),
        ("apps/v1", "Deployment"),
        ("apps/v1", "StatefulSet"),
        ("apps/v1", "ControllerRevision"),
        ("batch/v1", "Job"),
        ("batch/v1", "CronJob"),
        ("networking.k8s.io/v1", "Ingress"),
        ("networking.k8s.io/v1", "IngressClass"),
        ("networking.k8s.io/v1", "NetworkPolicy"),
        ("networking.k8s.io/v1", "ServiceCIDR"),
        ("networking.k8s.io/v1", "IPAddress"),
        ("autoscaling/v2", "HorizontalPodAutoscaler"),
        ("autoscaling/v1", "HorizontalPodAutoscaler"),
        ("rbac.authorization.k8s.io/v1", "Role"),
        ("rbac.authorization.k8s.io/v1", "ClusterRole"),
        ("rbac.authorization.k8s.io/v1", "RoleBinding"),
        ("rbac.authorization.k8s.io/v1", "ClusterRoleBinding"),
        ("certificates.k8s.io/v1", "CertificateSigningRequest"),
        ("coordination.k8s.io/v1", "Lease"),
        ("storage.k8s.io/v1", "StorageClass"),
        ("storage.k8s.io/v1", "VolumeAttributesClass"),
        ("storage.k8s.io/v1", "VolumeAttachment"),
        ("storage.k8s.io/v1", "CSINode"),
        ("storage.k8s.io/v1", "CSIDriver"),
        ("storage.k8s.io/v1", "CSIStorageCapacity"),
        ("scheduling.k8s.io/v1", "PriorityClass"),
        ("node.k8s.io/v1", "RuntimeClass"),
        ("discovery.k8s.io/v1", "EndpointSlice"),
        (
            "admissionregistration.k8s.io/v1",
            "MutatingWebhookConfiguration",
        ),
        (
            "admissionregistration.k8s.io/v1",
            "ValidatingWebhookConfiguration",
        ),
        (
            "admissionregistration.k8s.io/v1",
            "ValidatingAdmissionPolicy",
        ),
        (
            "admissionregistration.k8s.io/v1",
            "ValidatingAdmissionPolicyBinding",
        ),
        ("flowcontrol.apiserver.k8s.io/v1", "FlowSchema"),
        (
            "flowcontrol.apiserver.k8s.io/v1",
            "PriorityLevelConfiguration",
        ),
        ("apiregistration.k8s.io/v1", "APIService"),
        ("apiextensions.k8s.io/v1", "CustomResourceDefinition"),
        ("example.com/v1", "Widget"),
    ];

    fn malformed_objects() -> Vec<Value> {
        vec![
            Value::Null,
            json!("a string"),
            json!(42),
            json!([1, 2, 3]),
            json!({}),
            json!({"metadata": 5}),
            json!({"metadata": {"name": 7, "creationTimestamp": "yesterday", "deletionTimestamp": 3,
                "labels": ["x"], "annotations": "y", "ownerReferences": {"a": 1}}}),
            json!({"metadata": {"name": "x", "creationTimestamp": null, "labels": {"node-role.kubernetes.io/x": 5}},
                "spec": [], "status": "broken", "data": [], "subsets": {}, "ports": 3, "endpoints": [1, "a", null],
                "webhooks": {}, "conditions": 1, "roleRef": [], "subjects": [null, 1]}),
            json!({"metadata": {"name": "y"},
                "spec": {"containers": {"a": 1}, "initContainers": [null, 3], "replicas": "3", "selector": "app=x",
                    "ports": [null, {"port": "80", "nodePort": -1}], "type": 5, "metrics": [null, {"type": "Resource"}],
                    "template": {"spec": {"containers": [null, {"name": 1, "image": []}]}}, "rules": [1],
                    "claimRef": "x", "capacity": {"storage": 10}, "accessModes": [1], "drivers": 2,
                    "tokenRequests": [1], "completions": -1, "parallelism": "x", "paramRef": {"selector": {"matchLabels": {"a": 1}}}},
                "status": {"containerStatuses": [null, 1, {"state": 5, "lastState": {"terminated": 1}},
                    {"state": {"terminated": {"exitCode": "1", "signal": null}}, "ready": "yes"}],
                    "initContainerStatuses": [{"state": {"waiting": {"reason": 1}}}],
                    "conditions": [null, {"type": 1}], "hard": {"cpu": [1]}, "used": 1,
                    "loadBalancer": {"ingress": [null, {"ip": 1}]}, "addresses": [null],
                    "currentMetrics": [1], "startTime": "bad", "completionTime": 1,
                    "phase": ["Running"], "active": "x", "series": {"count": "2"}}}),
        ]
    }

    #[test]
    fn malformed_objects_never_panic() {
        let objects = malformed_objects();
        for (api_version, kind) in ALL_KINDS {
            let columns = column_definitions(api_version, kind);
            let ncols = columns.as_array().unwrap().len();
            assert!(ncols >= 2, "{kind}");
            for include in ["None", "Metadata", "Object"] {
                let t = to_table(api_version, kind, &objects, include, now());
                let rows = t["rows"].as_array().unwrap();
                assert_eq!(rows.len(), objects.len(), "{api_version} {kind}");
                for row in rows {
                    let cells = row["cells"].as_array().unwrap();
                    // IPAddress rows carry one more cell than columns (as upstream).
                    assert!(cells.len() >= ncols, "{api_version} {kind}: {cells:?}");
                    assert!(cells.len() <= ncols + 1, "{api_version} {kind}: {cells:?}");
                }
            }
        }
        let _ = custom_resource_table(
            &[
                json!({"name": "x", "type": "string", "jsonPath": ".a[?(@.b"}),
                json!(5),
                json!({"type": "date", "jsonPath": ".metadata.name"}),
            ],
            &objects,
            "Object",
            now(),
        );
    }

    #[test]
    fn row_and_column_counts_agree() {
        // A well-formed minimal object yields exactly one cell per column.
        let obj = json!({"metadata": {"name": "x", "creationTimestamp": ago(1)}});
        for (api_version, kind) in ALL_KINDS {
            let ncols = column_definitions(api_version, kind)
                .as_array()
                .unwrap()
                .len();
            let cells = one(api_version, kind, obj.clone());
            let expected = if *kind == "IPAddress" {
                ncols + 1
            } else {
                ncols
            };
            assert_eq!(cells.len(), expected, "{api_version} {kind}");
            if *kind != "Event" {
                assert_eq!(cells[0], "x", "{api_version} {kind}");
            }
        }
    }
}
