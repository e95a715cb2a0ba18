#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
/* 10980x10980 15-bit band: the 96x80 sample B08 mosaicked with mirroring, upsampled x4
   (each source pixel a 4x4 block, bilinear), plus uniform noise +-64: realistic entropy. */
int main(){ uint16_t s[80][96]; FILE*f=fopen("src.raw","rb"); fread(s,2,96*80,f); fclose(f);
 const int N=10980; uint16_t *row=malloc(N*2); FILE*o=fopen("big.raw","wb"); uint32_t r=12345;
 for(int y=0;y<N;y++){ for(int x=0;x<N;x++){
   double fx=x/4.0, fy=y/4.0; int ix=(int)fx, iy=(int)fy; double ax=fx-ix, ay=fy-iy;
   #define M(v,n) ({int _p=(v)%(2*(n)); _p<(n)?_p:2*(n)-1-_p;})
   double v00=s[M(iy,80)][M(ix,96)], v01=s[M(iy,80)][M(ix+1,96)], v10=s[M(iy+1,80)][M(ix,96)], v11=s[M(iy+1,80)][M(ix+1,96)];
   double v=(v00*(1-ax)+v01*ax)*(1-ay)+(v10*(1-ax)+v11*ax)*ay;
   r=r*1664525u+1013904223u; int n=(int)((r>>16)%129)-64; int q=(int)v+n; if(q<1)q=1; if(q>32767)q=32767; row[x]=q; }
   fwrite(row,2,N,o);} fclose(o); return 0; }
