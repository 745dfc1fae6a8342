// A thin lookup over modules.ts, kept for callers that import it from here.
export { budgetOf, createConnector, moduleFor } from './modules.ts';
