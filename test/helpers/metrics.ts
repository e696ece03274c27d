/** The value of one sample in a Prometheus text exposition (`name{labels}`), 0 when it is absent. */
export function sample(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}

/** Scrapes GET /metrics of an app. */
export async function scrape(app: { request(path: string): Response | Promise<Response> }): Promise<string> {
  const res = await app.request('/metrics');
  if (res.status !== 200) throw new Error(`GET /metrics answered ${res.status}`);
  return res.text();
}
