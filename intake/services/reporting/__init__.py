"""Indicators and reports: the dashboard's figures, the partner report, the public results, the waste
register and the ORDS export. Every figure is an aggregate query in the database; Python only adds up
the few grouped rows that come back (per source, per month…), never the items themselves.

Rules every figure follows (the pages repeat them where they matter):

- Items "voided" (an intake undone at once) never count.
- Weights are the items' weights as logged at intake (tare taken off), except what left in a recycling
  batch weighed at pickup: its measured weight is what left, shared among its items in proportion to
  their logged weights (``recycled_kg``). Where no batch was weighed, the items' weights are used.
- Collected: by intake date. Sold, handed over: by the sale's or handover's date. Recycled and final
  waste: by the batch's pickup date (closed batches only). Dismantled, returned: by the date of the move.
- Periods are local days (Europe/Paris by default), the first and last day included.
"""
