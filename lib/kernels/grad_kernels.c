// Gradient kernels that tfjs's wasm backend lacks (docs/method.md §2: every op of the five spaces must
// train on wasm). Plain C, compiled to WebAssembly with SIMD by `npm run build:kernels`
// (clang --target=wasm32 -msimd128 -O3; see lib/kernels/build.sh). No libc, no allocation, no
// static data: the module imports tfjs-backend-wasm's memory, and the caller
// (lib/kernels/wasm_module.ts) passes the byte offsets of tfjs's own tensors and of scratch that it
// allocates there, so no array is copied in or out. All tensors are float32, NHWC activations, HWIO conv filters, [KH, KW, C, 1]
// depthwise filters; padding is explicit (top, left), as PyTorch's symmetric padding needs.
#include <wasm_simd128.h>

// acc + a * b. The relaxed-SIMD build (RDARTS_RELAXED; build.sh) fuses it into one instruction (FMA
// where the CPU has it: one rounding instead of two, half the arithmetic instructions); the plain
// build multiplies, then adds. wasm_module.ts loads the relaxed build where RDARTS_WASM_RELAXED=1 asks.
#ifdef RDARTS_RELAXED
// clang 16's wasm_simd128.h has no wrapper for it yet: the builtin, on float lanes.
typedef float f32x4_lanes __attribute__((__vector_size__(16)));
#define MADD(acc, a, b) \
  ((v128_t)__builtin_wasm_relaxed_madd_f32x4((f32x4_lanes)(a), (f32x4_lanes)(b), (f32x4_lanes)(acc)))
#else
#define MADD(acc, a, b) wasm_f32x4_add((acc), wasm_f32x4_mul((a), (b)))
#endif

// An input vector (scalar) of a depthwise kernel, through ReLU where `relu` asks (the fused
// ReLU-depthwise of sep_conv and dil_conv: 0 < x ? x : 0 is exact, so the results equal those of
// ReLU's output convolved).
#define LOADX(p) (relu ? wasm_f32x4_pmax(wasm_f32x4_splat(0.0f), wasm_v128_load(p)) : wasm_v128_load(p))
#define XVAL(v) (relu && !(0.0f < (v)) ? 0.0f : (v))

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

// The output columns [*ox0, *ox1) whose input column ox * sw + off lies inside [0, w): the taps of
// one filter column that do not fall into the padding.
static void column_range(int off, int sw, int w, int ow, int* ox0, int* ox1) {
  *ox0 = off < 0 ? (-off + sw - 1) / sw : 0;
  *ox1 = w - 1 - off < 0 ? 0 : (w - 1 - off) / sw + 1;
  if (*ox1 > ow) *ox1 = ow;
}

// Depthwise filter gradient: out[kh, kw, c] = sum_{n, oy, ox} x[n, iy, ix, c] dy[n, oy, ox, c]
// with iy = oy*sh + kh*dh - pt, ix = ox*sw + kw*dw - pl (taps that fall into padding add 0).
static inline void dw_filter_grad_impl(const float* x, const float* dy, float* out, const Geom* g, int relu) {
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
          int ox0, ox1;
          column_range(off, g->sw, g->w, g->ow, &ox0, &ox1);
          int c = 0;
          // Sixteen (then eight) channels at a time in four (two) independent sums: one running sum
          // would wait on each multiply-add. Each channel still sums its columns in order, so the
          // values are those of four channels at a time.
          for (; c + 16 <= C; c += 16) {
            v128_t a0 = wasm_f32x4_splat(0.0f), a1 = a0, a2 = a0, a3 = a0;
            for (int ox = ox0; ox < ox1; ox++) {
              const float* xp = xrow + (long)(ox * g->sw + off) * C + c;
              const float* dp = dyrow + (long)ox * C + c;
              a0 = MADD(a0, LOADX(xp), wasm_v128_load(dp));
              a1 = MADD(a1, LOADX(xp + 4), wasm_v128_load(dp + 4));
              a2 = MADD(a2, LOADX(xp + 8), wasm_v128_load(dp + 8));
              a3 = MADD(a3, LOADX(xp + 12), wasm_v128_load(dp + 12));
            }
            wasm_v128_store(o + c, wasm_f32x4_add(wasm_v128_load(o + c), a0));
            wasm_v128_store(o + c + 4, wasm_f32x4_add(wasm_v128_load(o + c + 4), a1));
            wasm_v128_store(o + c + 8, wasm_f32x4_add(wasm_v128_load(o + c + 8), a2));
            wasm_v128_store(o + c + 12, wasm_f32x4_add(wasm_v128_load(o + c + 12), a3));
          }
          for (; c + 8 <= C; c += 8) {
            v128_t a0 = wasm_f32x4_splat(0.0f), a1 = a0;
            for (int ox = ox0; ox < ox1; ox++) {
              const float* xp = xrow + (long)(ox * g->sw + off) * C + c;
              const float* dp = dyrow + (long)ox * C + c;
              a0 = MADD(a0, LOADX(xp), wasm_v128_load(dp));
              a1 = MADD(a1, LOADX(xp + 4), wasm_v128_load(dp + 4));
            }
            wasm_v128_store(o + c, wasm_f32x4_add(wasm_v128_load(o + c), a0));
            wasm_v128_store(o + c + 4, wasm_f32x4_add(wasm_v128_load(o + c + 4), a1));
          }
          for (; c + 4 <= C; c += 4) {
            v128_t acc = wasm_f32x4_splat(0.0f);
            for (int ox = ox0; ox < ox1; ox++) {
              const int ix = ox * g->sw + off;
              acc = MADD(acc, LOADX(xrow + (long)ix * C + c), wasm_v128_load(dyrow + (long)ox * C + c));
            }
            wasm_v128_store(o + c, wasm_f32x4_add(wasm_v128_load(o + c), acc));
          }
          for (; c < C; c++) {
            float acc = 0.0f;
            for (int ox = ox0; ox < ox1; ox++) acc += XVAL(xrow[(long)(ox * g->sw + off) * C + c]) * dyrow[(long)ox * C + c];
            o[c] += acc;
          }
        }
      }
    }
  }
}

__attribute__((export_name("dw_filter_grad")))
void dw_filter_grad(const float* x, const float* dy, float* out, const Geom* g) {
  dw_filter_grad_impl(x, dy, out, g, 0);
}

// The fused ReLU-depthwise's filter gradient: dw_filter_grad with max(x, 0) for x.
__attribute__((export_name("dw_filter_grad_relu")))
void dw_filter_grad_relu(const float* x, const float* dy, float* out, const Geom* g) {
  dw_filter_grad_impl(x, dy, out, g, 1);
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
          int ox0, ox1;
          column_range(off, g->sw, g->w, g->ow, &ox0, &ox1);
          for (int ox = ox0; ox < ox1; ox++) {
            float* d = dxrow + (long)(ox * g->sw + off) * C;
            const float* s = dyrow + (long)ox * C;
            int c = 0;
            for (; c + 4 <= C; c += 4) {
              wasm_v128_store(d + c, MADD(wasm_v128_load(d + c), wasm_v128_load(wk + c), wasm_v128_load(s + c)));
            }
            for (; c < C; c++) d[c] += wk[c] * s[c];
          }
        }
      }
    }
  }
}

// One output pixel of a depthwise convolution, all its channels, into d: the taps of the `nk` filter
// rows whose input row lies inside the image (the first at input row x0 and filter row w0, each next
// `xstep` floats of input and a filter row further), at input columns ix0 + kx * dw; `checked`
// skips the columns outside [0, w) (the image's left and right borders). Sixteen channels at a time
// where it can, in four independent sums (one running sum would wait on each multiply-add). Taps
// are summed column by column, as XNNPACK does (see dw_forward).
static inline void dw_pixel(float* d, const float* x0, const float* w0, int nk, long xstep, int ix0, const Geom* g,
                            int checked, int relu) {
  const int C = g->c;
  const long wstep = (long)g->kw * C;
  int c = 0;
  for (; c + 16 <= C; c += 16) {
    v128_t a0 = wasm_f32x4_splat(0.0f), a1 = a0, a2 = a0, a3 = a0;
    for (int kx = 0; kx < g->kw; kx++) {
      const int ix = ix0 + kx * g->dw;
      if (checked && (ix < 0 || ix >= g->w)) continue;
      for (int r = 0; r < nk; r++) {
        const float* wp = w0 + r * wstep + kx * C + c;
        const float* xp = x0 + r * xstep + (long)ix * C + c;
        a0 = MADD(a0, wasm_v128_load(wp), LOADX(xp));
        a1 = MADD(a1, wasm_v128_load(wp + 4), LOADX(xp + 4));
        a2 = MADD(a2, wasm_v128_load(wp + 8), LOADX(xp + 8));
        a3 = MADD(a3, wasm_v128_load(wp + 12), LOADX(xp + 12));
      }
    }
    wasm_v128_store(d + c, a0);
    wasm_v128_store(d + c + 4, a1);
    wasm_v128_store(d + c + 8, a2);
    wasm_v128_store(d + c + 12, a3);
  }
  for (; c + 4 <= C; c += 4) {
    v128_t a = wasm_f32x4_splat(0.0f);
    for (int kx = 0; kx < g->kw; kx++) {
      const int ix = ix0 + kx * g->dw;
      if (checked && (ix < 0 || ix >= g->w)) continue;
      for (int r = 0; r < nk; r++) a = MADD(a, wasm_v128_load(w0 + r * wstep + kx * C + c), LOADX(x0 + r * xstep + (long)ix * C + c));
    }
    wasm_v128_store(d + c, a);
  }
  for (; c < C; c++) {
    float a = 0.0f;
    for (int kx = 0; kx < g->kw; kx++) {
      const int ix = ix0 + kx * g->dw;
      if (ix < 0 || ix >= g->w) continue;
      for (int r = 0; r < nk; r++) a += w0[r * wstep + kx * C + c] * XVAL(x0[r * xstep + (long)ix * C + c]);
    }
    d[c] = a;
  }
}

// Depthwise convolution (forward): y[n, oy, ox, c] = sum_{ky, kx} w[ky, kx, c] x[n, iy, ix, c], iy and
// ix as in dw_filter_grad. Each output value is summed in a register over its taps and stored once;
// interior pixels go four at a time (each weight load serves four sums), and only the border
// columns check their taps. It replaces XNNPACK's kernel (tfjs's), which is slower here
// (results/bench/README.md), and sums as XNNPACK's whole-filter kernels do (those of 4, 9 and 25
// taps): filter column by column, each column top to bottom, from zero. So for the spaces' square
// 3x3 and 5x5 filters (and 1x1, 2x2) the plain build's results are bit-identical to XNNPACK's
// (test/kernels/grad.test.ts), and a search gives the same numbers with either kernel; other
// sizes, which XNNPACK sums row by row, and the relaxed build (fused multiply-adds) differ in the
// last bits.
static inline void dw_forward_impl(const float* x, const float* wt, float* y, const Geom* g, int relu) {
  const int C = g->c, KW = g->kw;
  // Interior columns [oxa, oxb): every tap's column ox * sw - pl + kx * dw lies inside [0, w).
  // (Padding may be negative, a crop: C's division rounds toward zero, so clamp at 0 first.)
  int oxa = g->pl <= 0 ? 0 : (g->pl + g->sw - 1) / g->sw;
  const int last = g->w - 1 - (KW - 1) * g->dw + g->pl;
  int oxb = last < 0 ? 0 : last / g->sw + 1;
  if (oxa > g->ow) oxa = g->ow;
  if (oxb > g->ow) oxb = g->ow;
  if (oxb < oxa) oxb = oxa;
  const int oxg = oxa + (oxb - oxa) / 4 * 4;  // [oxa, oxg): whole blocks of four
  const long step = (long)g->sw * C;          // from one output pixel's input column to the next's
  const long xstep = (long)g->dh * g->w * C;  // from one filter row's input row to the next's
  for (int n = 0; n < g->n; n++) {
    for (int oy = 0; oy < g->oh; oy++) {
      float* yrow = y + ((long)(n * g->oh + oy) * g->ow) * C;
      // The filter rows whose input row lies inside the image: ky in [ky0, ky0 + nk).
      const int top = oy * g->sh - g->pt;
      const int ky0 = top < 0 ? (-top + g->dh - 1) / g->dh : 0;
      // A row wholly in the bottom padding has none (top >= h: C's division would round -1/2 to 0).
      int nk = top >= g->h ? 0 : top + (g->kh - 1) * g->dh < g->h ? g->kh - ky0 : (g->h - 1 - top) / g->dh + 1 - ky0;
      if (nk < 0) nk = 0;
      const float* x0 = x + ((long)(n * g->h + top + ky0 * g->dh) * g->w) * C;
      const float* w0 = wt + ky0 * KW * C;
      for (int ox = 0; ox < oxa; ox++) dw_pixel(yrow + (long)ox * C, x0, w0, nk, xstep, ox * g->sw - g->pl, g, 1, relu);
      int c = 0;
      for (; c + 4 <= C; c += 4) {
        for (int ox = oxa; ox < oxg; ox += 4) {
          v128_t a0 = wasm_f32x4_splat(0.0f), a1 = a0, a2 = a0, a3 = a0;
          const float* xp = x0 + (long)(ox * g->sw - g->pl) * C + c;
          for (int kx = 0; kx < KW; kx++) {
            for (int r = 0; r < nk; r++) {
              const v128_t wv = wasm_v128_load(w0 + r * KW * C + kx * C + c);
              const float* q = xp + r * xstep + (long)kx * g->dw * C;
              a0 = MADD(a0, wv, LOADX(q));
              a1 = MADD(a1, wv, LOADX(q + step));
              a2 = MADD(a2, wv, LOADX(q + 2 * step));
              a3 = MADD(a3, wv, LOADX(q + 3 * step));
            }
          }
          float* d = yrow + (long)ox * C + c;
          wasm_v128_store(d, a0);
          wasm_v128_store(d + C, a1);
          wasm_v128_store(d + 2 * C, a2);
          wasm_v128_store(d + 3 * C, a3);
        }
      }
      // The channel tail of the blocks' pixels, one channel at a time.
      for (; c < C; c++) {
        for (int ox = oxa; ox < oxg; ox++) {
          float a = 0.0f;
          for (int kx = 0; kx < KW; kx++) {
            const long ix = ox * g->sw - g->pl + kx * g->dw;
            for (int r = 0; r < nk; r++) a += w0[r * KW * C + kx * C + c] * XVAL(x0[r * xstep + ix * C + c]);
          }
          yrow[(long)ox * C + c] = a;
        }
      }
      for (int ox = oxg; ox < oxb; ox++) dw_pixel(yrow + (long)ox * C, x0, w0, nk, xstep, ox * g->sw - g->pl, g, 0, relu);
      for (int ox = oxb; ox < g->ow; ox++) dw_pixel(yrow + (long)ox * C, x0, w0, nk, xstep, ox * g->sw - g->pl, g, 1, relu);
    }
  }
}

__attribute__((export_name("dw_forward")))
void dw_forward(const float* x, const float* wt, float* y, const Geom* g) {
  dw_forward_impl(x, wt, y, g, 0);
}

// The fused ReLU-depthwise: dw_forward of max(x, 0), without ReLU's output in memory.
__attribute__((export_name("dw_forward_relu")))
void dw_forward_relu(const float* x, const float* wt, float* y, const Geom* g) {
  dw_forward_impl(x, wt, y, g, 1);
}

// The filter gradient's sums over `m` pixels: out[ci, co] += sum_r x_r[ci] dy_r[co], where x_r =
// x + r * xstep (the input row of pixel r, CI floats) and dy_r = dy + r * CO. Blocks of 4 input
// channels x 8 output channels of accumulators; each sum runs over r in order from zero and is
// then added to out (float32: m is one image row, so that the sums stay close to float64).
// Leftover input channels (the stem's 1 or 3) one at a time x 8 output channels.
static void filter_grad_rows(const float* x, long xstep, const float* dy, int m, int CI, int CO, float* out) {
  int ci = 0;
  for (; ci + 4 <= CI; ci += 4) {
    int co = 0;
    for (; co + 8 <= CO; co += 8) {
      v128_t a00 = wasm_f32x4_splat(0), a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00, a30 = a00, a31 = a00;
      const float* dp = dy + co;
      const float* xp = x + ci;
      for (int r = 0; r < m; r++, dp += CO, xp += xstep) {
        const v128_t d0 = wasm_v128_load(dp), d1 = wasm_v128_load(dp + 4);
        v128_t s = wasm_v128_load32_splat(xp);
        a00 = MADD(a00, s, d0); a01 = MADD(a01, s, d1);
        s = wasm_v128_load32_splat(xp + 1);
        a10 = MADD(a10, s, d0); a11 = MADD(a11, s, d1);
        s = wasm_v128_load32_splat(xp + 2);
        a20 = MADD(a20, s, d0); a21 = MADD(a21, s, d1);
        s = wasm_v128_load32_splat(xp + 3);
        a30 = MADD(a30, s, d0); a31 = MADD(a31, s, d1);
      }
      float* op = out + (long)ci * CO + co;
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
        for (int r = 0; r < m; r++) acc += x[r * xstep + ci + k] * dy[(long)r * CO + co];
        out[(long)(ci + k) * CO + co] += acc;
      }
    }
  }
  for (; ci < CI; ci++) {
    int co = 0;
    for (; co + 8 <= CO; co += 8) {
      v128_t a0 = wasm_f32x4_splat(0), a1 = a0;
      const float* dp = dy + co;
      const float* xp = x + ci;
      for (int r = 0; r < m; r++, dp += CO, xp += xstep) {
        const v128_t s = wasm_v128_load32_splat(xp);
        a0 = MADD(a0, s, wasm_v128_load(dp));
        a1 = MADD(a1, s, wasm_v128_load(dp + 4));
      }
      float* op = out + (long)ci * CO + co;
      wasm_v128_store(op, wasm_f32x4_add(wasm_v128_load(op), a0));
      wasm_v128_store(op + 4, wasm_f32x4_add(wasm_v128_load(op + 4), a1));
    }
    for (; co < CO; co++) {
      float acc = 0.0f;
      for (int r = 0; r < m; r++) acc += x[r * xstep + ci] * dy[(long)r * CO + co];
      out[(long)ci * CO + co] += acc;
    }
  }
}

// Conv filter gradient: out[ky, kx, ci, co] = sum_{n, oy, ox} x[n, iy, ix, ci] dy[n, oy, ox, co].
// Summed per image row, then across rows. `cout` is the number
// of output channels, g->c the input channels.
__attribute__((export_name("conv_filter_grad")))
void conv_filter_grad(const float* x, const float* dy, float* out, const Geom* g, int cout) {
  const int CI = g->c, CO = cout;
  zero(out, g->kh * g->kw * CI * CO);
  for (int ky = 0; ky < g->kh; ky++) {
    for (int kx = 0; kx < g->kw; kx++) {
      float* o = out + (long)(ky * g->kw + kx) * CI * CO;
      const int off = kx * g->dw - g->pl;
      int ox0, ox1;
      column_range(off, g->sw, g->w, g->ow, &ox0, &ox1);
      for (int n = 0; n < g->n; n++) {
        for (int oy = 0; oy < g->oh; oy++) {
          const int iy = oy * g->sh + ky * g->dh - g->pt;
          if (iy < 0 || iy >= g->h) continue;
          const float* xrow = x + ((long)(n * g->h + iy) * g->w) * CI;
          const float* dyrow = dy + ((long)(n * g->oh + oy) * g->ow) * CO;
          if (ox1 > ox0)
            filter_grad_rows(xrow + (long)(ox0 * g->sw + off) * CI, (long)g->sw * CI, dyrow + (long)ox0 * CO, ox1 - ox0, CI, CO, o);
        }
      }
    }
  }
}

// Pointwise (1x1, unpadded) convolutions as a matrix product over pixels: row q of C (N floats) =
// row q of A (K floats) times B [K, N]. Four rows at a time, eight columns of C in registers (a
// block of 4 x 8 accumulators, XNNPACK's shape on SIMD128), each summed over k = 0..K-1 from zero,
// multiply then add: the order of XNNPACK's f32 GEMM, so that the forward pass it replaces keeps
// its values. `arows` / `crows` hold the four rows' pointers (a block with fewer rows repeats its
// last row: the same values written twice).
static inline void gemm4(const float* const* arows, float* const* crows, const float* b, int K, int N) {
  const float *a0 = arows[0], *a1 = arows[1], *a2 = arows[2], *a3 = arows[3];
  float *c0 = crows[0], *c1 = crows[1], *c2 = crows[2], *c3 = crows[3];
  int n = 0;
  for (; n + 8 <= N; n += 8) {
    v128_t x00 = wasm_f32x4_splat(0), x01 = x00, x10 = x00, x11 = x00, x20 = x00, x21 = x00, x30 = x00, x31 = x00;
    const float* bp = b + n;
    for (int k = 0; k < K; k++, bp += N) {
      const v128_t b0 = wasm_v128_load(bp), b1 = wasm_v128_load(bp + 4);
      v128_t s = wasm_v128_load32_splat(a0 + k);
      x00 = MADD(x00, s, b0); x01 = MADD(x01, s, b1);
      s = wasm_v128_load32_splat(a1 + k);
      x10 = MADD(x10, s, b0); x11 = MADD(x11, s, b1);
      s = wasm_v128_load32_splat(a2 + k);
      x20 = MADD(x20, s, b0); x21 = MADD(x21, s, b1);
      s = wasm_v128_load32_splat(a3 + k);
      x30 = MADD(x30, s, b0); x31 = MADD(x31, s, b1);
    }
    wasm_v128_store(c0 + n, x00); wasm_v128_store(c0 + n + 4, x01);
    wasm_v128_store(c1 + n, x10); wasm_v128_store(c1 + n + 4, x11);
    wasm_v128_store(c2 + n, x20); wasm_v128_store(c2 + n + 4, x21);
    wasm_v128_store(c3 + n, x30); wasm_v128_store(c3 + n + 4, x31);
  }
  for (; n + 4 <= N; n += 4) {
    v128_t x0 = wasm_f32x4_splat(0), x1 = x0, x2 = x0, x3 = x0;
    const float* bp = b + n;
    for (int k = 0; k < K; k++, bp += N) {
      const v128_t b0 = wasm_v128_load(bp);
      x0 = MADD(x0, wasm_v128_load32_splat(a0 + k), b0);
      x1 = MADD(x1, wasm_v128_load32_splat(a1 + k), b0);
      x2 = MADD(x2, wasm_v128_load32_splat(a2 + k), b0);
      x3 = MADD(x3, wasm_v128_load32_splat(a3 + k), b0);
    }
    wasm_v128_store(c0 + n, x0); wasm_v128_store(c1 + n, x1);
    wasm_v128_store(c2 + n, x2); wasm_v128_store(c3 + n, x3);
  }
  for (; n < N; n++) {
    float s0 = 0.0f, s1 = 0.0f, s2 = 0.0f, s3 = 0.0f;
    for (int k = 0; k < K; k++) {
      const float bk = b[(long)k * N + n];
      s0 += a0[k] * bk; s1 += a1[k] * bk; s2 += a2[k] * bk; s3 += a3[k] * bk;
    }
    c0[n] = s0; c1[n] = s1; c2[n] = s2; c3[n] = s3;
  }
}

// The input pixel (n, oy*sh, ox*sw), as an index of NHWC rows, of output pixel q = (n, oy, ox) of a
// pointwise conv.
static inline long input_pixel(long q, const Geom* g) {
  const long ox = q % g->ow, rest = q / g->ow;
  const long oy = rest % g->oh, n = rest / g->oh;
  return (n * g->h + oy * g->sh) * g->w + ox * g->sw;
}

// The pixels of a pointwise conv: q = (n, oy, ox) of the output, at (n, oy*sh, ox*sw) of the input.
// `strided_a`: A's rows are the input's pixels (the forward pass: A = x, C = y); else C's rows are
// (the input gradient: A = dy, C = dx, which is zero at the pixels a stride skips).
static void pointwise(const float* a, const float* b, float* c, const Geom* g, int K, int N, int strided_a) {
  const long P = (long)g->n * g->oh * g->ow;
  const int unit = g->sh == 1 && g->sw == 1;
  if (!strided_a && !unit) zero(c, g->n * g->h * g->w * N);
  const float* arows[4];
  float* crows[4];
  for (long q0 = 0; q0 < P; q0 += 4) {
    for (int r = 0; r < 4; r++) {
      const long q = q0 + r < P ? q0 + r : P - 1;
      const long at = unit ? q : input_pixel(q, g);
      arows[r] = a + (strided_a ? at : q) * K;
      crows[r] = c + (strided_a ? q : at) * N;
    }
    gemm4(arows, crows, b, K, N);
  }
}

// y = conv1x1(x, w) with w [CI, CO] (HWIO, 1x1), any stride, no padding.
__attribute__((export_name("pw_forward")))
void pw_forward(const float* x, const float* w, float* y, const Geom* g, int cout) {
  pointwise(x, w, y, g, g->c, cout, 1);
}

// Its input gradient: dx[pixel at (oy*sh, ox*sw)] = dy[oy, ox] times w transposed (`wt`: [CO, CI]).
__attribute__((export_name("pw_input_grad")))
void pw_input_grad(const float* dy, const float* wt, float* dx, const Geom* g, int cout) {
  pointwise(dy, wt, dx, g, cout, g->c, 0);
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
          int ox0, ox1;
          column_range(off, g->sw, g->w, g->ow, &ox0, &ox1);
          for (int ox = ox0; ox < ox1; ox++) {
            float* d = dxrow + (long)(ox * g->sw + off) * CI;
            const float* s = dyrow + (long)ox * CO;
            for (int co = 0; co < CO; co++) {
              const float* wr = wk + (long)co * CI;
              const v128_t sv = wasm_f32x4_splat(s[co]);
              int ci = 0;
              for (; ci + 4 <= CI; ci += 4) {
                wasm_v128_store(d + ci, MADD(wasm_v128_load(d + ci), wasm_v128_load(wr + ci), sv));
              }
              for (; ci < CI; ci++) d[ci] += wr[ci] * s[co];
            }
          }
        }
      }
    }
  }
}

// Batch norm in training mode over rows of x [M, C] (M = N*H*W; every BN of the supernet): writes
// y [M, C], mean [C] and invstd [C] = 1 / sqrt(biased var + eps). The statistics are sums over M =
// 10^3..10^5 rows, and a float32 running sum loses about sqrt(M) ulps, enough to move a ReLU unit
// that sits near zero across its kink (the engine's gradient bug): so sums run in float32 over
// blocks of BN_BLOCK rows only (SIMD, a few ulps) and the blocks are added in double, as close to
// the cpu backend's double sums as PyTorch's CPU batch norm is. Values are shifted by the first row
// (k), so that the one-pass variance q/M - (s/M)^2 cancels nothing of note. The element-wise
// results are float32 SIMD, as PyTorch's. `scratch` holds 2C doubles.
#define BN_BLOCK 16

// Per channel c, over all M rows: s1[c] = sum (a - ka), s2[c] = sum (a - ka)(b - kb) (a null shift
// is 0). One pass; float32 SIMD within blocks of BN_BLOCK rows, double across blocks.
static void two_sums(double* s1, double* s2, const float* a, const float* ka, const float* b, const float* kb, int M,
                     int C) {
  for (int c = 0; c < C; c++) s1[c] = s2[c] = 0.0;
  const v128_t zero4 = wasm_f32x4_splat(0.0f);
  for (int m0 = 0; m0 < M; m0 += BN_BLOCK) {
    const int m1 = m0 + BN_BLOCK < M ? m0 + BN_BLOCK : M;
    int c = 0;
    for (; c + 4 <= C; c += 4) {
      const v128_t vka = ka ? wasm_v128_load(ka + c) : zero4, vkb = kb ? wasm_v128_load(kb + c) : zero4;
      v128_t p1 = zero4, p2 = zero4;
      for (int m = m0; m < m1; m++) {
        const v128_t d = wasm_f32x4_sub(wasm_v128_load(a + (long)m * C + c), vka);
        p1 = wasm_f32x4_add(p1, d);
        p2 = MADD(p2, d, wasm_f32x4_sub(wasm_v128_load(b + (long)m * C + c), vkb));
      }
      wasm_v128_store(s1 + c, wasm_f64x2_add(wasm_v128_load(s1 + c), wasm_f64x2_promote_low_f32x4(p1)));
      wasm_v128_store(s1 + c + 2, wasm_f64x2_add(wasm_v128_load(s1 + c + 2),
                                                 wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(p1, p1, 2, 3, 0, 1))));
      wasm_v128_store(s2 + c, wasm_f64x2_add(wasm_v128_load(s2 + c), wasm_f64x2_promote_low_f32x4(p2)));
      wasm_v128_store(s2 + c + 2, wasm_f64x2_add(wasm_v128_load(s2 + c + 2),
                                                 wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(p2, p2, 2, 3, 0, 1))));
    }
    for (; c < C; c++) {
      float p1 = 0.0f, p2 = 0.0f;
      for (int m = m0; m < m1; m++) {
        const float d = a[(long)m * C + c] - (ka ? ka[c] : 0.0f);
        p1 += d;
        p2 += d * (b[(long)m * C + c] - (kb ? kb[c] : 0.0f));
      }
      s1[c] += p1;
      s2[c] += p2;
    }
  }
}

__attribute__((export_name("bn_train_forward")))
void bn_train_forward(const float* x, float* y, float* mean, float* invstd, double* scratch, const Geom* g, float eps) {
  const int M = g->n, C = g->c;
  double* s = scratch;
  double* q = s + C;
  const float* k = x;  // the shift: the first row
  two_sums(s, q, x, k, x, k, M, C);
  for (int c = 0; c < C; c++) {
    const double d = s[c] / (double)M;
    double var = q[c] / (double)M - d * d;
    if (var < 0.0) var = 0.0;
    mean[c] = (float)((double)k[c] + d);
    invstd[c] = (float)(1.0 / __builtin_sqrt(var + (double)eps));
  }
  for (int m = 0; m < M; m++) {
    const float* r = x + (long)m * C;
    float* o = y + (long)m * C;
    int c = 0;
    for (; c + 4 <= C; c += 4) {
      const v128_t d = wasm_f32x4_sub(wasm_v128_load(r + c), wasm_v128_load(mean + c));
      wasm_v128_store(o + c, wasm_f32x4_mul(d, wasm_v128_load(invstd + c)));
    }
    for (; c < C; c++) o[c] = (r[c] - mean[c]) * invstd[c];
  }
}

// Its gradient (no affine part): with xhat = (x - mean) invstd,
// dx = invstd (dy - mean(dy) - xhat mean(dy xhat)), the means over the M rows summed as above.
// `scratch` holds 2C doubles, then 2C floats.
__attribute__((export_name("bn_train_backward")))
void bn_train_backward(const float* x, const float* dy, const float* mean, const float* invstd, float* dx,
                       double* scratch, const Geom* g) {
  const int M = g->n, C = g->c;
  double* sdy = scratch;
  double* sdyx = sdy + C;
  float* a = (float*)(sdyx + C);  // mean(dy)
  float* b = a + C;               // invstd^2 mean(dy (x - mean))
  two_sums(sdy, sdyx, dy, 0, x, mean, M, C);
  for (int c = 0; c < C; c++) {
    a[c] = (float)(sdy[c] / (double)M);
    b[c] = (float)((double)invstd[c] * (double)invstd[c] * sdyx[c] / (double)M);
  }
  for (int m = 0; m < M; m++) {
    const float* r = x + (long)m * C;
    const float* d = dy + (long)m * C;
    float* o = dx + (long)m * C;
    int c = 0;
    for (; c + 4 <= C; c += 4) {
      const v128_t xc = wasm_f32x4_sub(wasm_v128_load(r + c), wasm_v128_load(mean + c));
      const v128_t t = wasm_f32x4_sub(wasm_f32x4_sub(wasm_v128_load(d + c), wasm_v128_load(a + c)), wasm_f32x4_mul(xc, wasm_v128_load(b + c)));
      wasm_v128_store(o + c, wasm_f32x4_mul(wasm_v128_load(invstd + c), t));
    }
    for (; c < C; c++) o[c] = invstd[c] * ((d[c] - a[c]) - (r[c] - mean[c]) * b[c]);
  }
}

// Sums of float32 values, accumulated in double (tfjs-backend-wasm's Sum accumulates in float32):
// out[i] = sum_j x[i * len + j] for `rows` rows of `len` (the innermost axes reduced) when
// `inner` is 1; out[j] = sum_i x[i * len + j] (the outermost axes reduced) when 0, with `scratch`
// holding len doubles.
__attribute__((export_name("sum_f64")))
void sum_f64(const float* x, float* out, double* scratch, int rows, int len, int inner) {
  if (inner) {
    for (int i = 0; i < rows; i++) {
      const float* r = x + (long)i * len;
      double acc = 0.0;
      for (int j = 0; j < len; j++) acc += r[j];
      out[i] = (float)acc;
    }
    return;
  }
  double* acc = scratch;
  for (int j = 0; j < len; j++) acc[j] = 0.0;
  for (int i = 0; i < rows; i++) {
    const float* r = x + (long)i * len;
    for (int j = 0; j < len; j++) acc[j] += r[j];
  }
  for (int j = 0; j < len; j++) out[j] = (float)acc[j];
}

// Copies src [rows, width] into columns [offset, offset + width) of dst [rows, stride]
// (concatenation along the last axis) when `scatter` is 1; the reverse copy (a split) when 0.
__attribute__((export_name("copy_columns")))
void copy_columns(float* src, float* dst, int rows, int width, int stride, int offset, int scatter) {
  for (int r = 0; r < rows; r++) {
    float* a = src + (long)r * width;
    float* b = dst + (long)r * stride + offset;
    if (scatter) {
      for (int i = 0; i < width; i++) b[i] = a[i];
    } else {
      for (int i = 0; i < width; i++) a[i] = b[i];
    }
  }
}

// 3x3 pooling with padding 1 (docs/method.md §2), over real pixels only: kind 0 = max (padding acts as
// -inf), kind 1 = average with count_include_pad = false. Geometry: kh = kw = 3, stride sh = sw,
// pt = pl = 1.
static int tap_range(int o, int s, int size, int* lo) {
  int start = o * s - 1;
  int end = start + 3;
  if (start < 0) start = 0;
  if (end > size) end = size;
  *lo = start;
  return end - start;
}

// Channels are innermost (contiguous), so every window is a few SIMD passes over rows of C.
__attribute__((export_name("pool3x3_forward")))
void pool3x3_forward(const float* x, float* y, const Geom* g, int kind) {
  const int C = g->c;
  for (int n = 0; n < g->n; n++) {
    for (int oy = 0; oy < g->oh; oy++) {
      int y0, x0;
      const int ny = tap_range(oy, g->sh, g->h, &y0);
      for (int ox = 0; ox < g->ow; ox++) {
        const int nx = tap_range(ox, g->sw, g->w, &x0);
        float* o = y + (((long)n * g->oh + oy) * g->ow + ox) * C;
        const float* first = x + (((long)n * g->h + y0) * g->w + x0) * C;
        for (int c = 0; c < C; c++) o[c] = kind == 0 ? first[c] : 0.0f;
        for (int i = 0; i < ny; i++) {
          for (int j = 0; j < nx; j++) {
            const float* r = x + (((long)n * g->h + y0 + i) * g->w + x0 + j) * C;
            int c = 0;
            if (kind == 0) {
              for (; c + 4 <= C; c += 4) wasm_v128_store(o + c, wasm_f32x4_pmax(wasm_v128_load(o + c), wasm_v128_load(r + c)));
              for (; c < C; c++) o[c] = r[c] > o[c] ? r[c] : o[c];
            } else {
              for (; c + 4 <= C; c += 4) wasm_v128_store(o + c, wasm_f32x4_add(wasm_v128_load(o + c), wasm_v128_load(r + c)));
              for (; c < C; c++) o[c] += r[c];
            }
          }
        }
        if (kind == 1) {
          const float inv = 1.0f / (float)(ny * nx);
          for (int c = 0; c < C; c++) o[c] *= inv;
        }
      }
    }
  }
}

// Its gradient: max sends dy to the first maximum of the window in row-major order (PyTorch's
// rule for ties); average spreads dy / count over the window's real pixels. The max path keeps
// each channel's best value and position in `scratch` (2 C floats).
__attribute__((export_name("pool3x3_backward")))
void pool3x3_backward(const float* x, const float* dy, float* dx, float* scratch, const Geom* g, int kind) {
  const int C = g->c;
  const long total = (long)g->n * g->h * g->w * C;
  zero(dx, total);
  float* best = scratch;
  int* where = (int*)(best + C);
  for (int n = 0; n < g->n; n++) {
    for (int oy = 0; oy < g->oh; oy++) {
      int y0, x0;
      const int ny = tap_range(oy, g->sh, g->h, &y0);
      for (int ox = 0; ox < g->ow; ox++) {
        const int nx = tap_range(ox, g->sw, g->w, &x0);
        const float* d = dy + (((long)n * g->oh + oy) * g->ow + ox) * C;
        if (kind == 0) {
          const long at0 = (((long)n * g->h + y0) * g->w + x0) * C;
          for (int c = 0; c < C; c++) {
            best[c] = x[at0 + c];
            where[c] = (int)at0;
          }
          for (int i = 0; i < ny; i++) {
            for (int j = 0; j < nx; j++) {
              const long at = (((long)n * g->h + y0 + i) * g->w + x0 + j) * C;
              const float* r = x + at;
              const v128_t atv = wasm_i32x4_splat((int)at);
              int c = 0;
              for (; c + 4 <= C; c += 4) {
                const v128_t v = wasm_v128_load(r + c), b = wasm_v128_load(best + c);
                const v128_t gt = wasm_f32x4_gt(v, b);  // strictly greater: the first maximum wins
                wasm_v128_store(best + c, wasm_v128_bitselect(v, b, gt));
                wasm_v128_store(where + c, wasm_v128_bitselect(atv, wasm_v128_load(where + c), gt));
              }
              for (; c < C; c++) {
                if (r[c] > best[c]) {
                  best[c] = r[c];
                  where[c] = (int)at;
                }
              }
            }
          }
          for (int c = 0; c < C; c++) dx[(long)where[c] + c] += d[c];
        } else {
          const float inv = 1.0f / (float)(ny * nx);
          for (int i = 0; i < ny; i++) {
            for (int j = 0; j < nx; j++) {
              float* r = dx + (((long)n * g->h + y0 + i) * g->w + x0 + j) * C;
              for (int c = 0; c < C; c++) r[c] += d[c] * inv;
            }
          }
        }
      }
    }
  }
}

// FactorizedReduce's one-pixel shift (docs/method.md §2) on x [N, H, W, C]: y [N, OH, OW, C] with
// OH = H - 1 + H % 2 (OW likewise), y[n, i, j] = x[n, i + 1, j + 1], zero where i + 1 = H or
// j + 1 = W (the bottom row / right column added when H / W is odd). `forward` 0 runs the adjoint:
// dx [N, H, W, C] from dy [N, OH, OW, C] (x and y swap roles: x = dx is written).
__attribute__((export_name("shift_copy")))
void shift_copy(float* x, float* y, const Geom* g, int forward) {
  const int H = g->h, W = g->w, C = g->c;
  const int OH = H - 1 + H % 2, OW = W - 1 + W % 2;
  const long row = (long)(W - 1) * C;
  if (forward) zero(y, g->n * OH * OW * C);
  else zero(x, g->n * H * W * C);
  for (int n = 0; n < g->n; n++) {
    for (int i = 0; i + 1 < H; i++) {
      float* xs = x + (((long)n * H + i + 1) * W + 1) * C;
      float* ys = y + ((long)n * OH + i) * OW * C;
      if (forward) __builtin_memcpy(ys, xs, row * sizeof(float));
      else __builtin_memcpy(xs, ys, row * sizeof(float));
    }
  }
}

// The MixedOp's weighted sum (docs/method.md §2, eq. (1) of the paper's DARTS background):
// y = sum_k w[k] t_k over K tensors of `len` floats, whose heap offsets are in `ts`. One pass:
// tfjs would run K products and an AddN (K + 1 passes, K temporaries).
__attribute__((export_name("weighted_sum")))
void weighted_sum(const float* w, float* y, const int* ts, int K, int len) {
  for (int k = 0; k < K; k++) {
    const float* t = (const float*)ts[k];
    const v128_t wk = wasm_f32x4_splat(w[k]);
    int i = 0;
    if (k == 0) {
      for (; i + 4 <= len; i += 4) wasm_v128_store(y + i, wasm_f32x4_mul(wk, wasm_v128_load(t + i)));
      for (; i < len; i++) y[i] = w[k] * t[i];
    } else {
      for (; i + 4 <= len; i += 4) wasm_v128_store(y + i, MADD(wasm_v128_load(y + i), wk, wasm_v128_load(t + i)));
      for (; i < len; i++) y[i] += w[k] * t[i];
    }
  }
}

// Its gradient: dx_k = w[k] dy and dw[k] = sum_i dy[i] t_k[i] (`table`: the K offsets of t_k,
// then the K offsets of dx_k), each product
// rounded to float32 and summed in double (as a float32 product followed by our double Sum).
// Chunks of 1024 keep dy in cache across the K tensors.
__attribute__((export_name("weighted_sum_grad")))
void weighted_sum_grad(const float* w, const float* dy, float* dw, const int* table, double* scratch, int K,
                       int len) {
  const int* ts = table;
  const int* dxs = table + K;
  double* acc = scratch;  // 4 K doubles: two accumulators of two lanes per k (two chains of adds)
  for (int k = 0; k < 4 * K; k++) acc[k] = 0.0;
  for (int start = 0; start < len; start += 1024) {
    const int end = start + 1024 < len ? start + 1024 : len;
    for (int k = 0; k < K; k++) {
      const float* t = (const float*)ts[k];
      v128_t a0 = wasm_v128_load(acc + 4 * k), a1 = wasm_v128_load(acc + 4 * k + 2);
      int i = start;
      for (; i + 4 <= end; i += 4) {
        const v128_t p = wasm_f32x4_mul(wasm_v128_load(dy + i), wasm_v128_load(t + i));
        a0 = wasm_f64x2_add(a0, wasm_f64x2_promote_low_f32x4(p));
        a1 = wasm_f64x2_add(a1, wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(p, p, 2, 3, 0, 1)));
      }
      double tail = 0.0;
      for (; i < end; i++) tail += (double)(dy[i] * t[i]);
      wasm_v128_store(acc + 4 * k, wasm_f64x2_add(a0, wasm_f64x2_make(tail, 0.0)));
      wasm_v128_store(acc + 4 * k + 2, a1);
      float* dx = (float*)dxs[k];
      const v128_t wk = wasm_f32x4_splat(w[k]);
      int j = start;
      for (; j + 4 <= end; j += 4) wasm_v128_store(dx + j, wasm_f32x4_mul(wk, wasm_v128_load(dy + j)));
      for (; j < end; j++) dx[j] = w[k] * dy[j];
    }
  }
  for (int k = 0; k < K; k++) dw[k] = (float)((acc[4 * k] + acc[4 * k + 2]) + (acc[4 * k + 1] + acc[4 * k + 3]));
}

// ReLU's gradient from its output (lib/nn/pool.ts keeps y, as PyTorch): dx = dy where y > 0, else
// 0. One pass: tfjs would run Step and a product (two passes and a temporary).
__attribute__((export_name("relu_grad")))
void relu_grad(const float* y, const float* dy, float* dx, int len) {
  const v128_t zero4 = wasm_f32x4_splat(0.0f);
  int i = 0;
  for (; i + 4 <= len; i += 4) {
    const v128_t pos = wasm_f32x4_gt(wasm_v128_load(y + i), zero4);
    wasm_v128_store(dx + i, wasm_v128_and(wasm_v128_load(dy + i), pos));
  }
  for (; i < len; i++) dx[i] = y[i] > 0.0f ? dy[i] : 0.0f;
}
