"""On-the-fly models fed with Sentinel-2 imagery. Each module registers one model."""
from . import remoteclip  # noqa: F401,E402
from . import satmae  # noqa: F401,E402
from . import scalemae  # noqa: F401,E402
from . import prithvi  # noqa: F401,E402
from . import dofa  # noqa: F401,E402
from . import terrafm  # noqa: F401,E402
from . import olmoearth  # noqa: F401,E402
from . import satmaepp  # noqa: F401,E402
from . import clay  # noqa: F401,E402
from . import fomo  # noqa: F401,E402
from . import galileo  # noqa: F401,E402
from . import thor  # noqa: F401,E402
from . import terramind  # noqa: F401,E402
from . import agrifm  # noqa: F401,E402
from . import anysat  # noqa: F401,E402
from . import wildsat  # noqa: F401,E402
