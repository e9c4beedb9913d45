// iam_simulate_bench.mjs - the same benchmark as bench_policy.c on
// @cloud-copilot/iam-simulate's core engine (installed in bench/ with npm):
// Strict-mode cases of iam-policy-cases, then the DR trust case, in a loop,
// single-threaded. Policies are loaded once, outside the timed loop.
// Usage: node iam_simulate_bench.mjs CASES_DIR DR_CASE_FILE
import { readdirSync, readFileSync, statSync } from 'fs'
import { join, resolve } from 'path'

const base = resolve('node_modules/@cloud-copilot/iam-simulate/dist/esm')
const { authorize } = await import(join(base, 'core_engine/CoreSimulatorEngine.js'))
const { AwsRequestImpl } = await import(join(base, 'request/request.js'))
const { RequestContextImpl } = await import(join(base, 'requestContext.js'))
const { DiscoveryContextKeyConstraints } = await import(join(base, 'context_keys/discoveryContextKeyConstraints.js'))
const { isWildcardOnlyAction } = await import(join(base, 'util.js'))
const { loadPolicy } = await import('@cloud-copilot/iam-policy')

const [casesDir, drFile] = process.argv.slice(2)
const allow = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }
const defaultRcp = loadPolicy(allow, { name: 'RCPFullAWSAccess' })

function files(dir, out = []) {
  for (const f of readdirSync(dir)) {
    const p = join(dir, f)
    if (statSync(p).isDirectory()) files(p, out)
    else if (p.endsWith('.json')) out.push(p)
  }
  return out
}

async function prepare(tc) {
  const { principal, resource, action, context } = tc.request
  const [svc, act] = action.split(':')
  let wild = false
  try {
    wild = await isWildcardOnlyAction(svc, act)
  } catch {
    wild = false // an action unknown to iam-data (edge-case tests)
  }
  const named = (p, i) => loadPolicy(p, { name: String(i) })
  const req = {
    request: new AwsRequestImpl(principal, resource, action, new RequestContextImpl(context || {}), wild),
    identityPolicies: tc.identityPolicies.map(named),
    serviceControlPolicies: (tc.serviceControlPolicies || []).map((s) => ({ orgIdentifier: s.orgIdentifier, policies: s.policies.map(named) })),
    resourceControlPolicies: (tc.resourceControlPolicies || []).map((s) => ({ orgIdentifier: s.orgIdentifier, policies: [defaultRcp, ...s.policies.map(named)] })),
    resourcePolicy: tc.resourcePolicy ? loadPolicy(tc.resourcePolicy, { name: 'ResourcePolicy' }) : undefined,
    permissionBoundaries: tc.permissionBoundaries ? tc.permissionBoundaries.map(named) : undefined,
    sessionPolicy: tc.sessionPolicy ? loadPolicy(tc.sessionPolicy, { name: 'session' }) : undefined,
    vpcEndpointPolicies: tc.endpointPolicies ? tc.endpointPolicies.map(named) : undefined,
    simulationParameters: { simulationMode: 'Strict', discoveryContextKeyConstraints: new DiscoveryContextKeyConstraints() },
  }
  return { req, expected: tc.expected?.response }
}

function rate(prepared, ms) {
  let wrong = 0
  for (const p of prepared) if (authorize(p.req).result !== p.expected) wrong++
  let evals = 0
  const start = performance.now()
  let now = start
  do {
    for (const p of prepared) authorize(p.req)
    evals += prepared.length
    now = performance.now()
  } while (now - start < ms)
  return { rate: (evals * 1000) / (now - start), wrong }
}

const cases = []
for (const f of files(casesDir)) {
  for (const tc of JSON.parse(readFileSync(f, 'utf-8'))) {
    if ((tc.simulation?.mode || 'Strict') === 'Strict') cases.push(await prepare(tc))
  }
}
const conf = rate(cases, 2000)
console.log(`iam-simulate conformance: ${cases.length} cases (${conf.wrong} wrong), ${conf.rate.toFixed(0)} evals/s`)
const dr = await prepare(JSON.parse(readFileSync(drFile, 'utf-8'))[0])
const one = rate([dr], 2000)
console.log(`iam-simulate dr-trust: (${one.wrong ? 'WRONG' : 'ok'}), ${one.rate.toFixed(0)} evals/s`)
