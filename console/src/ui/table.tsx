import type { ComponentChildren } from 'preact';

/**
 * A table as every screen lays it out: scrolling sideways inside its own box on a phone, column headings from a list,
 * and, where rows have a button, a last column named for screen readers only. The body is the caller's `<tbody>`.
 * A column given with a class (`wide-only`: hidden on a phone) has its heading carry it; its cells carry it too.
 */
export type Column = string | { name: string; class: string };

export function Table(props: { columns: Column[]; caption?: string; actions?: string; class?: string; children: ComponentChildren }) {
  return (
    <div class="table-wrap">
      <table class={props.class}>
        {props.caption && <caption>{props.caption}</caption>}
        <thead>
          <tr>
            {props.columns.map((column) =>
              typeof column === 'string' ? (
                <th scope="col" key={column}>
                  {column}
                </th>
              ) : (
                <th scope="col" key={column.name} class={column.class}>
                  {column.name}
                </th>
              ),
            )}
            {props.actions && (
              <th scope="col">
                <span class="visually-hidden">{props.actions}</span>
              </th>
            )}
          </tr>
        </thead>
        {props.children}
      </table>
    </div>
  );
}
