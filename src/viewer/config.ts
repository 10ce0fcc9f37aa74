/** What the server tells the page, as JSON in `<script id="eventlog-config">`. */
export interface ViewerConfig {
  /** The GraphQL endpoint, relative to the page or absolute. */
  endpoint: string;
  /** Entries a page. */
  pageSize: number;
  /** Whether the page offers a field for extra request headers (stored in localStorage). */
  headersField: boolean;
  title: string;
}

export const CONFIG_ELEMENT_ID = 'eventlog-config';
