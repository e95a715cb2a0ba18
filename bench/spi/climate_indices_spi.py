# climate_indices 3.x SPI-1/3/12 of pr.npy (time, y, x) in one vectorised call per scale; with N,
# also the time and memory extrapolated (linearly in pixels) to an N×N raster.
import numpy as np, time, resource, logging, sys
import structlog
structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
from climate_indices import indices
from climate_indices.compute import Periodicity
v=np.load('pr.npy')
t0=time.time()
for k in (1,3,12):
    r=indices.spi(v,k,indices.Distribution.gamma,2001,2001,2020,Periodicity.monthly,spatial_time_major=True)
dt=time.time()-t0; rss=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss/1024
px=v.shape[1]*v.shape[2]; full=int(sys.argv[1])**2 if len(sys.argv)>1 else px
print('climate_indices 3 scales: %.2f s, peak RSS %.0f MiB over %d pixels'%(dt, rss, px)
      + ('' if full==px else ' -> %.0f s, ~%.0f GiB for %d pixels (extrapolated)'%(dt*full/px, rss*full/px/1024, full)))
