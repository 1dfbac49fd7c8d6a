// Gradient kernels that tfjs's wasm backend lacks (docs/method.md §2: every op of the five spaces must
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

// The output columns [*ox0, *ox1) whose input column ox * sw + off lies inside [0, w): the taps of
// one filter column that do not fall into the padding.
static void column_range(int off, int sw, int w, int ow, int* ox0, int* ox1) {
  *ox0 = off < 0 ? (-off + sw - 1) / sw : 0;
  *ox1 = w - 1 - off < 0 ? 0 : (w - 1 - off) / sw + 1;
  if (*ox1 > ow) *ox1 = ow;
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
          int ox0, ox1;
          column_range(off, g->sw, g->w, g->ow, &ox0, &ox1);
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
          int ox0, ox1;
          column_range(off, g->sw, g->w, g->ow, &ox0, &ox1);
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
      int ox0, ox1;
      column_range(off, g->sw, g->w, g->ow, &ox0, &ox1);
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

// Batch norm in training mode over rows of x [M, C] (M = N*H*W; every BN of the supernet): writes
// y [M, C], then mean [C] and invstd [C] = 1 / sqrt(biased var + eps) after it. Two passes for
// the statistics (mean, then centred squares), each accumulated in double, as PyTorch's CPU
// batch norm and tfjs's cpu backend do: a float32 running sum over M = 10^3..10^5 rows loses
// sqrt(M) ulps, enough to move a ReLU unit that sits near zero across its kink.
// The caller reserves 4C + 2 floats of scratch after invstd for the double accumulators.
static double* scratch_doubles(float* after) {
  return (double*)(((unsigned long)after + 7) & ~7ul);
}

__attribute__((export_name("bn_train_forward")))
void bn_train_forward(const float* x, float* out, const Geom* g, float eps) {
  const int M = g->n, C = g->c;
  float* y = out;
  float* mean = out + (long)M * C;
  float* invstd = mean + C;
  double* s = scratch_doubles(invstd + C);
  double* q = s + C;
  for (int c = 0; c < 2 * C; c++) s[c] = 0.0;
  for (int m = 0; m < M; m++) {
    const float* r = x + (long)m * C;
    for (int c = 0; c < C; c++) s[c] += r[c];
  }
  for (int c = 0; c < C; c++) s[c] /= (double)M;
  for (int m = 0; m < M; m++) {
    const float* r = x + (long)m * C;
    for (int c = 0; c < C; c++) {
      const double d = (double)r[c] - s[c];
      q[c] += d * d;
    }
  }
  for (int c = 0; c < C; c++) {
    mean[c] = (float)s[c];
    invstd[c] = (float)(1.0 / __builtin_sqrt(q[c] / (double)M + (double)eps));
  }
  for (int m = 0; m < M; m++) {
    const float* r = x + (long)m * C;
    float* o = y + (long)m * C;
    for (int c = 0; c < C; c++) o[c] = (float)(((double)r[c] - s[c]) * invstd[c]);
  }
}

// Its gradient (no affine part): with xhat = (x - mean) invstd,
// dx = invstd (dy - mean(dy) - xhat mean(dy xhat)), means over the M rows, accumulated in double.
// The caller reserves 4C + 2 floats of scratch after dx.
__attribute__((export_name("bn_train_backward")))
void bn_train_backward(const float* x, const float* dy, const float* mean, const float* invstd, float* dx,
                       const Geom* g) {
  const int M = g->n, C = g->c;
  double* sdy = scratch_doubles(dx + (long)M * C);
  double* sdyx = sdy + C;
  for (int c = 0; c < 2 * C; c++) sdy[c] = 0.0;
  for (int m = 0; m < M; m++) {
    const float* r = x + (long)m * C;
    const float* d = dy + (long)m * C;
    for (int c = 0; c < C; c++) {
      sdy[c] += d[c];
      sdyx[c] += (double)d[c] * ((double)r[c] - mean[c]) * invstd[c];
    }
  }
  for (int c = 0; c < C; c++) {
    sdy[c] /= (double)M;
    sdyx[c] /= (double)M;
  }
  for (int m = 0; m < M; m++) {
    const float* r = x + (long)m * C;
    const float* d = dy + (long)m * C;
    float* o = dx + (long)m * C;
    for (int c = 0; c < C; c++) {
      o[c] = (float)(invstd[c] * (d[c] - sdy[c] - ((double)r[c] - mean[c]) * invstd[c] * sdyx[c]));
    }
  }
}

// Sums of float32 values, accumulated in double (tfjs-backend-wasm's Sum accumulates in float32):
// out[i] = sum_j x[i * len + j] for `rows` rows of `len` (the innermost axes reduced) when
// `inner` is 1; out[j] = sum_i x[i * len + j] (the outermost axes reduced) when 0. The caller
// reserves 2 len + 2 floats of scratch after out when `inner` is 0.
__attribute__((export_name("sum_f64")))
void sum_f64(const float* x, float* out, int rows, int len, int inner) {
  if (inner) {
    for (int i = 0; i < rows; i++) {
      const float* r = x + (long)i * len;
      double acc = 0.0;
      for (int j = 0; j < len; j++) acc += r[j];
      out[i] = (float)acc;
    }
    return;
  }
  double* acc = scratch_doubles(out + len);
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
// each channel's best value and position in `scratch` (2 C floats, reserved by the caller after dx).
__attribute__((export_name("pool3x3_backward")))
void pool3x3_backward(const float* x, const float* dy, float* dx, const Geom* g, int kind) {
  const int C = g->c;
  const long total = (long)g->n * g->h * g->w * C;
  zero(dx, total);
  float* best = dx + total;
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
