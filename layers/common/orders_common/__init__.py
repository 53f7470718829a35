"""The order desk shared by every Lambda function: models, store, execution and HTTP plumbing."""

from orders_common.coldstart import gc_pause, lazy_powertools

gc_pause.pause_collector_on_lambda()

# Before anything imports Powertools' event handler: only what a function uses gets imported.
lazy_powertools.install()
