"""The privacy/utility lab: true values beside private ones, for synthetic families only.

Everything here runs on made-up data (the demo family or a family generated in memory) and spends no
budget: no ledger is touched, and `Lab.open` refuses a store that holds real imports. Every noisy draw
comes from an OpenDP measurement once and is then stored, so the same settings draw the same picture.
"""
