// Gradient kernels that tfjs's wasm backend lacks (PAPER.md 2: every op of the five spaces must
// train on wasm). Plain C, compiled to WebAssembly with SIMD by `npm run build:kernels`
// (clang --target=wasm32 -msimd128 -O3; see lib/kernels/build.sh). No libc, no allocation: the
// caller (lib/kernels/wasm_module.ts) places every array in this module's memory and passes
// byte offsets. All tensors are float32, NHWC activations, HWIO conv filters, [KH, KW, C, 1]
// depthwise filters; padding is explicit (top, left), as PyTorch's symmetric padding needs.
#include <wasm_simd128.h>

typedef struct {
  int n, h, w, c;        // input
  int oh, ow;            // output
  int kh, kw;            // filter
  int sh, sw, dh, dw;    // strides, dilations
  int pt, pl;            // padding top, left
} Geom;

static void zero(float* p, int len) {
  for (int i = 0; i < len; i++) p[i] = 0.0f;
}

// Depthwise filter gradient: out[kh, kw, c] = sum_{n, oy, ox} x[n, iy, ix, c] dy[n, oy, ox, c]
// with iy = oy*sh + kh*dh - pt, ix = ox*sw + kw*dw - pl (taps that fall into padding add 0).
__attribute__((export_name("dw_filter_grad")))
void dw_filter_grad(const float* x, const float* dy, float* out, const Geom* g) {
  const int C = g->c;
  zero(out, g->kh * g->kw * C);
  for (int n = 0; n < g->n; n++) {
    for (int oy = 0; oy < g->oh; oy++) {
      const float* dyrow = dy + ((long)(n * g->oh + oy) * g->ow) * C;
      for (int ky = 0; ky < g->kh; ky++) {
        const int iy = oy * g->sh + ky * g->dh - g->pt;
        if (iy < 0 || iy >= g->h) continue;
        const float* xrow = x + ((long)(n * g->h + iy) * g->w) * C;
        for (int kx = 0; kx < g->kw; kx++) {
          float* o = out + (ky * g->kw + kx) * C;
          // Output columns whose input column is inside the image.
          const int off = kx * g->dw - g->pl;
          int ox0 = off < 0 ? (-off + g->sw - 1) / g->sw : 0;
          int ox1 = (g->w - 1 - off) / g->sw + 1;
          if (g->w - 1 - off < 0) ox1 = 0;
          if (ox1 > g->ow) ox1 = g->ow;
          int c = 0;
          for (; c + 4 <= C; c += 4) {
            v128_t acc = wasm_f32x4_splat(0.0f);
            for (int ox = ox0; ox < ox1; ox++) {
              const int ix = ox * g->sw + off;
              acc = wasm_f32x4_add(acc, wasm_f32x4_mul(wasm_v128_load(xrow + (long)ix * C + c),
                                                       wasm_v128_load(dyrow + (long)ox * C + c)));
            }
            wasm_v128_store(o + c, wasm_f32x4_add(wasm_v128_load(o + c), acc));
          }
          for (; c < C; c++) {
            float acc = 0.0f;
            for (int ox = ox0; ox < ox1; ox++) acc += xrow[(long)(ox * g->sw + off) * C + c] * dyrow[(long)ox * C + c];
            o[c] += acc;
          }
        }
      }
    }
  }
}

// Depthwise input gradient, as a scatter: dx[n, iy, ix, c] += w[ky, kx, c] dy[n, oy, ox, c].
__attribute__((export_name("dw_input_grad")))
void dw_input_grad(const float* dy, const float* wt, float* dx, const Geom* g) {
  const int C = g->c;
  zero(dx, g->n * g->h * g->w * C);
  for (int n = 0; n < g->n; n++) {
    for (int oy = 0; oy < g->oh; oy++) {
      const float* dyrow = dy + ((long)(n * g->oh + oy) * g->ow) * C;
      for (int ky = 0; ky < g->kh; ky++) {
        const int iy = oy * g->sh + ky * g->dh - g->pt;
        if (iy < 0 || iy >= g->h) continue;
        float* dxrow = dx + ((long)(n * g->h + iy) * g->w) * C;
        for (int kx = 0; kx < g->kw; kx++) {
          const float* wk = wt + (ky * g->kw + kx) * C;
          const int off = kx * g->dw - g->pl;
          int ox0 = off < 0 ? (-off + g->sw - 1) / g->sw : 0;
          int ox1 = (g->w - 1 - off) / g->sw + 1;
          if (g->w - 1 - off < 0) ox1 = 0;
          if (ox1 > g->ow) ox1 = g->ow;
          for (int ox = ox0; ox < ox1; ox++) {
            float* d = dxrow + (long)(ox * g->sw + off) * C;
            const float* s = dyrow + (long)ox * C;
            int c = 0;
            for (; c + 4 <= C; c += 4) {
              wasm_v128_store(d + c, wasm_f32x4_add(wasm_v128_load(d + c),
                                                    wasm_f32x4_mul(wasm_v128_load(wk + c), wasm_v128_load(s + c))));
            }
            for (; c < C; c++) d[c] += wk[c] * s[c];
          }
        }
      }
    }
  }
}

// Conv filter gradient: out[ky, kx, ci, co] = sum_{n, oy, ox} x[n, iy, ix, ci] dy[n, oy, ox, co].
// `co` is the SIMD axis; `cout` is the number of output channels, g->c the input channels.
__attribute__((export_name("conv_filter_grad")))
void conv_filter_grad(const float* x, const float* dy, float* out, const Geom* g, int cout) {
  const int CI = g->c, CO = cout;
  zero(out, g->kh * g->kw * CI * CO);
  for (int ky = 0; ky < g->kh; ky++) {
    for (int kx = 0; kx < g->kw; kx++) {
      float* o = out + (long)(ky * g->kw + kx) * CI * CO;
      const int off = kx * g->dw - g->pl;
      int ox0 = off < 0 ? (-off + g->sw - 1) / g->sw : 0;
      int ox1 = (g->w - 1 - off) / g->sw + 1;
      if (g->w - 1 - off < 0) ox1 = 0;
      if (ox1 > g->ow) ox1 = g->ow;
      for (int n = 0; n < g->n; n++) {
        for (int oy = 0; oy < g->oh; oy++) {
          const int iy = oy * g->sh + ky * g->dh - g->pt;
          if (iy < 0 || iy >= g->h) continue;
          const float* xrow = x + ((long)(n * g->h + iy) * g->w) * CI;
          const float* dyrow = dy + ((long)(n * g->oh + oy) * g->ow) * CO;
          // Register block: 4 input channels x 8 output channels of accumulators per pass.
          int ci = 0;
          for (; ci + 4 <= CI; ci += 4) {
            int co = 0;
            for (; co + 8 <= CO; co += 8) {
              v128_t a00 = wasm_f32x4_splat(0), a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00, a30 = a00, a31 = a00;
              for (int ox = ox0; ox < ox1; ox++) {
                const float* xp = xrow + (long)(ox * g->sw + off) * CI + ci;
                const float* dp = dyrow + (long)ox * CO + co;
                const v128_t d0 = wasm_v128_load(dp), d1 = wasm_v128_load(dp + 4);
                v128_t s = wasm_f32x4_splat(xp[0]);
                a00 = wasm_f32x4_add(a00, wasm_f32x4_mul(s, d0)); a01 = wasm_f32x4_add(a01, wasm_f32x4_mul(s, d1));
                s = wasm_f32x4_splat(xp[1]);
                a10 = wasm_f32x4_add(a10, wasm_f32x4_mul(s, d0)); a11 = wasm_f32x4_add(a11, wasm_f32x4_mul(s, d1));
                s = wasm_f32x4_splat(xp[2]);
                a20 = wasm_f32x4_add(a20, wasm_f32x4_mul(s, d0)); a21 = wasm_f32x4_add(a21, wasm_f32x4_mul(s, d1));
                s = wasm_f32x4_splat(xp[3]);
                a30 = wasm_f32x4_add(a30, wasm_f32x4_mul(s, d0)); a31 = wasm_f32x4_add(a31, wasm_f32x4_mul(s, d1));
              }
              float* op = o + (long)ci * CO + co;
              wasm_v128_store(op, wasm_f32x4_add(wasm_v128_load(op), a00));
              wasm_v128_store(op + 4, wasm_f32x4_add(wasm_v128_load(op + 4), a01));
              wasm_v128_store(op + CO, wasm_f32x4_add(wasm_v128_load(op + CO), a10));
              wasm_v128_store(op + CO + 4, wasm_f32x4_add(wasm_v128_load(op + CO + 4), a11));
              wasm_v128_store(op + 2 * CO, wasm_f32x4_add(wasm_v128_load(op + 2 * CO), a20));
              wasm_v128_store(op + 2 * CO + 4, wasm_f32x4_add(wasm_v128_load(op + 2 * CO + 4), a21));
              wasm_v128_store(op + 3 * CO, wasm_f32x4_add(wasm_v128_load(op + 3 * CO), a30));
              wasm_v128_store(op + 3 * CO + 4, wasm_f32x4_add(wasm_v128_load(op + 3 * CO + 4), a31));
            }
            for (; co < CO; co++) {
              for (int k = 0; k < 4; k++) {
                float acc = 0.0f;
                for (int ox = ox0; ox < ox1; ox++) acc += xrow[(long)(ox * g->sw + off) * CI + ci + k] * dyrow[(long)ox * CO + co];
                o[(long)(ci + k) * CO + co] += acc;
              }
            }
          }
          // Leftover input channels (the stem has 1 or 3): one channel x 8 output channels.
          for (; ci < CI; ci++) {
            int co = 0;
            for (; co + 8 <= CO; co += 8) {
              v128_t a0 = wasm_f32x4_splat(0), a1 = a0;
              for (int ox = ox0; ox < ox1; ox++) {
                const v128_t s = wasm_f32x4_splat(xrow[(long)(ox * g->sw + off) * CI + ci]);
                const float* dp = dyrow + (long)ox * CO + co;
                a0 = wasm_f32x4_add(a0, wasm_f32x4_mul(s, wasm_v128_load(dp)));
                a1 = wasm_f32x4_add(a1, wasm_f32x4_mul(s, wasm_v128_load(dp + 4)));
              }
              float* op = o + (long)ci * CO + co;
              wasm_v128_store(op, wasm_f32x4_add(wasm_v128_load(op), a0));
              wasm_v128_store(op + 4, wasm_f32x4_add(wasm_v128_load(op + 4), a1));
            }
            for (; co < CO; co++) {
              float acc = 0.0f;
              for (int ox = ox0; ox < ox1; ox++) acc += xrow[(long)(ox * g->sw + off) * CI + ci] * dyrow[(long)ox * CO + co];
              o[(long)ci * CO + co] += acc;
            }
          }
        }
      }
    }
  }
}

// Conv input gradient, as a scatter: dx[n, iy, ix, ci] += sum_co w[ky, kx, ci, co] dy[n, oy, ox, co].
// Used for strided convs (stride 1 runs as a forward conv on XNNPACK instead). `wt` must be the
// filter transposed to [KH, KW, CO, CI], so that ci, the SIMD axis, is contiguous.
__attribute__((export_name("conv_input_grad")))
void conv_input_grad(const float* dy, const float* wt, float* dx, const Geom* g, int cout) {
  const int CI = g->c, CO = cout;
  zero(dx, g->n * g->h * g->w * CI);
  for (int n = 0; n < g->n; n++) {
    for (int oy = 0; oy < g->oh; oy++) {
      const float* dyrow = dy + ((long)(n * g->oh + oy) * g->ow) * CO;
      for (int ky = 0; ky < g->kh; ky++) {
        const int iy = oy * g->sh + ky * g->dh - g->pt;
        if (iy < 0 || iy >= g->h) continue;
        float* dxrow = dx + ((long)(n * g->h + iy) * g->w) * CI;
        for (int kx = 0; kx < g->kw; kx++) {
          const float* wk = wt + (long)(ky * g->kw + kx) * CO * CI;
          const int off = kx * g->dw - g->pl;
          int ox0 = off < 0 ? (-off + g->sw - 1) / g->sw : 0;
          int ox1 = (g->w - 1 - off) / g->sw + 1;
          if (g->w - 1 - off < 0) ox1 = 0;
          if (ox1 > g->ow) ox1 = g->ow;
          for (int ox = ox0; ox < ox1; ox++) {
            float* d = dxrow + (long)(ox * g->sw + off) * CI;
            const float* s = dyrow + (long)ox * CO;
            for (int co = 0; co < CO; co++) {
              const float* wr = wk + (long)co * CI;
              const v128_t sv = wasm_f32x4_splat(s[co]);
              int ci = 0;
              for (; ci + 4 <= CI; ci += 4) {
                wasm_v128_store(d + ci, wasm_f32x4_add(wasm_v128_load(d + ci), wasm_f32x4_mul(wasm_v128_load(wr + ci), sv)));
              }
              for (; ci < CI; ci++) d[ci] += wr[ci] * s[co];
            }
          }
        }
      }
    }
  }
}
