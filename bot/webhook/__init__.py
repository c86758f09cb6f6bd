"""Webhook mode (`BOT_MODE=webhook`): several replicas behind a load balancer, each update handled once."""
