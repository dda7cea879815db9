"""OpenDP's prelude minus its scikit-learn extra: the same `dp.` names, over a second less at start-up.

`opendp.prelude` imports every extra, and the scikit-learn one alone costs ~1.1 s of the app's cold
start. Hearth uses only the core constructors, the accuracy utilities, the context helpers and polars.
"""

import opendp.combinators as c
import opendp.measurements as m
import opendp.transformations as t
from opendp.accuracy import *  # noqa: F403
from opendp.context import *  # noqa: F403
from opendp.domains import *  # noqa: F403
from opendp.extras import polars
from opendp.extras.polars import dp_len as len
from opendp.measures import *  # noqa: F403
from opendp.metrics import *  # noqa: F403
from opendp.mod import *  # noqa: F403
from opendp.typing import *  # noqa: F403

__all__ = ["c", "len", "m", "polars", "t"]
