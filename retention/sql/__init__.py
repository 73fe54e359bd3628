"""The retention app's raw SQL (issue #17: one home), by topic: the nightly scan and the signal values
(signals), the honest churn features (features), the alerts' writes (alerts). Here what they share."""

# Large generated statements: compiling them costs more (~0.6 s for the scan) than JIT saves.
JIT_OFF = "SET LOCAL jit = off"

# The scan's chunk is the unit of parallel work (workers share a run); within it, parallel workers each
# recomputed the whole usage aggregate for the merge join (values for the learned model: 736 -> 382 ms).
NO_PARALLEL_WORKERS = "SET LOCAL max_parallel_workers_per_gather = 0"

# The customers' id range, to cut into chunks.
CUSTOMER_ID_RANGE = "SELECT min(id), max(id) + 1 FROM customers_customer"
