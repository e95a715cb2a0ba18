# Writes pr.nc (NetCDF-4, float32, one chunk per month) and pr.npy (the same values, float64) of
# the first ROWS rows (default: all) for run.sh: a 240-month N×N gamma-distributed precipitation
# stack, generated month by month.
#   python make_stack.py N [ROWS]
import numpy as np, netCDF4, datetime, sys
W=H=int(sys.argv[1]); T=240
ROWS=min(int(sys.argv[2]) if len(sys.argv)>2 else H, H)
rng=np.random.default_rng(1)
shape=rng.uniform(1,4,size=(12,H,W)); mean=rng.uniform(20,120,size=(12,H,W))
sub=np.empty((T,ROWS,W),np.float64)
with netCDF4.Dataset('pr.nc','w') as nc:
    nc.createDimension('time',None); nc.createDimension('lat',H); nc.createDimension('lon',W)
    t=nc.createVariable('time','f8',('time',)); t.units='days since 2001-01-01'; t.calendar='standard'; t.axis='T'
    t[:]=[netCDF4.date2num(datetime.datetime(2001+k//12,k%12+1,15),t.units,'standard') for k in range(T)]
    la=nc.createVariable('lat','f8',('lat',)); la.units='degrees_north'; la[:]=50-0.01*np.arange(H)
    lo=nc.createVariable('lon','f8',('lon',)); lo.units='degrees_east'; lo[:]=0.01*np.arange(W)
    p=nc.createVariable('pr','f4',('time','lat','lon'),fill_value=np.float32(-9999),chunksizes=(1,H,W))
    p.units='mm'
    for k in range(T):
        m=k%12
        v=np.round(rng.gamma(shape[m], mean[m]/shape[m]).astype(np.float32),1)
        p[k]=v
        sub[k]=v[:ROWS]
np.save('pr.npy', sub)
