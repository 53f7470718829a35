"""The order desk shared by every Lambda function: models, store, execution and HTTP plumbing."""

from orders_common.coldstart import gc_pause

gc_pause.pause_collector_on_lambda()
