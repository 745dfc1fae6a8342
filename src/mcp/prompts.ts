import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';

const text = (body: string) => ({ messages: [{ role: 'user' as const, content: { type: 'text' as const, text: body } }] });

/** Prompts for common jobs: each walks the agent through roster's tools, ending where a person must act. */
export function registerPrompts(server: McpServer): void {
  server.registerPrompt(
    'offboard_person',
    {
      title: 'Offboard someone',
      description: 'Check where a person still has access and draft and request their offboarding, for a person to approve.',
      argsSchema: { person: z.string().min(1).max(320).describe('their id, userName or email') },
    },
    ({ person }) =>
      text(
        [
          `Offboard ${JSON.stringify(person)} with roster's tools.`,
          '1. person_accounts: list every account they hold and its state.',
          '2. explain_access for each app where an account is still active: is the person a leaver in the IdP? If they are still active there, stop and say that they must be disabled in the IdP first (roster follows the IdP).',
          '3. draft_plan with person: show the user every change (deactivate or delete, per app policy) and the HTTP requests it will make.',
          '4. Only after the user agrees: request_plan. Then tell the user that a person other than this agent must approve it (roster approve <plan>) before anything changes, and show request_status.',
          'Never claim that access was removed until request_status shows the changes done.',
        ].join('\n'),
      ),
  );

  server.registerPrompt(
    'review_department_access',
    {
      title: 'Review access for a department',
      description: 'Review who in a department has which apps, and what is wrong (leavers still active, drift, missing accounts).',
      argsSchema: { department: z.string().min(1).max(200).describe('the department, as the IdP names it') },
    },
    ({ department }) =>
      text(
        [
          `Review app access for the department ${JSON.stringify(department)}.`,
          '1. find_people with that department (page through with the cursor; include leavers with active: false).',
          '2. person_accounts for each person (at most the first 50; say if there are more).',
          '3. list_findings (leaver_active first, then drift and missing) and keep those about these people.',
          '4. Report per person: apps held, anything wrong, and explain_access for any leaver still active.',
          'Do not draft or request plans unless the user asks; if they do, draft_plan per finding and show it before request_plan.',
        ].join('\n'),
      ),
  );
}
