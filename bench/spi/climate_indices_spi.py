# climate_indices 3.x SPI-1/3/12 of pr.npy (time, y, x) in one vectorised call per scale.
import numpy as np, time, resource, logging
import structlog
structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
from climate_indices import indices
from climate_indices.compute import Periodicity
v=np.load('pr.npy')
t0=time.time()
for k in (1,3,12):
    r=indices.spi(v,k,indices.Distribution.gamma,2001,2001,2020,Periodicity.monthly,spatial_time_major=True)
print('climate_indices 3 scales: %.2f s, peak RSS %.0f MiB'%(time.time()-t0, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss/1024))
