"""Second life: sales, handovers to tenants, returns, recycling batches."""
